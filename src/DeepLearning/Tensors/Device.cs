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

    private static readonly Dictionary<string, Func<Device>> Named = new(StringComparer.OrdinalIgnoreCase) { ["cpu"] = () => Cpu };

    /// <summary>
    /// Makes <paramref name="name"/> resolvable by <see cref="FromName"/> (for device packages: <c>cuda</c>,
    /// <c>opencl</c> …); the factory runs at each lookup, so it may throw when the hardware is absent.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static void Register(string name, Func<Device> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Named) Named[name] = factory;
    }

    /// <summary>The device called <paramref name="name"/> (<c>cpu</c>, or one a device package registered), for command lines.</summary>
    /// <exception cref="ArgumentException">No device has that name; the message lists the known ones.</exception>
    public static Device FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Func<Device>? factory;
        string known;
        lock (Named)
        {
            Named.TryGetValue(name, out factory);
            known = string.Join(", ", Named.Keys.Order(StringComparer.Ordinal));
        }
        return factory?.Invoke() ?? throw new ArgumentException(
            $"Device '{name}' is unknown; known devices: {known} (GPU devices come with the DeepLearning.Gpu package)", nameof(name));
    }

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
