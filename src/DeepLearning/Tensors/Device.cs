using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning;

/// <summary>
/// Where a tensor's memory lives and its ops run. <see cref="Cpu"/> is always available; GPU packages provide
/// others. Ops on tensors of different devices throw: move one with <see cref="Tensor.To(Device)"/>.
/// </summary>
public sealed class Device : IEquatable<Device>
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

    /// <summary>Whether <paramref name="other"/> is the same device: devices are equal when they wrap the same backend.</summary>
    public bool Equals(Device? other) => other is not null && ReferenceEquals(Backend, other.Backend);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Device);

    /// <inheritdoc/>
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Backend);

    /// <summary>Whether two devices wrap the same backend.</summary>
    public static bool operator ==(Device? left, Device? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Whether two devices wrap different backends.</summary>
    public static bool operator !=(Device? left, Device? right) => !(left == right);
}
