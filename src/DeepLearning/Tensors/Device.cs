using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning;

/// <summary>
/// Where a tensor's memory lives and its ops run. <see cref="Cpu"/> is always available; GPU packages provide
/// others. Ops on tensors of different devices throw: move one with <see cref="Tensor.To(Device)"/>.
/// </summary>
public sealed class Device
{
    /// <summary>Wraps a backend as a device (for backend packages; users take a device from its package).</summary>
    /// <param name="backend">The backend whose kernels and memory this device uses.</param>
    public Device(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
    }

    /// <summary>The CPU device.</summary>
    public static Device Cpu { get; } = new(CpuBackend.Instance);

    /// <summary>The backend that implements this device.</summary>
    public IBackend Backend { get; }

    /// <summary>The device's name, such as <c>cpu</c>.</summary>
    public string Name => Backend.Name;

    /// <summary>Number of device buffers currently allocated and not released; a training loop should keep it flat.</summary>
    public long LiveBuffers => Backend.LiveBuffers;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
