using DeepLearning.Backends;

namespace DeepLearning;

/// <summary>
/// An n-dimensional array of float32 on a <see cref="Device"/>: row-major, contiguous, batch first. Arithmetic
/// follows NumPy broadcasting, and every op is differentiable (see <see cref="Autodiff"/>).
/// </summary>
/// <remarks>
/// Memory: a tensor created inside a <see cref="TensorScope"/> is released when the scope ends unless kept. The library
/// opens such scopes itself: each training step (<see cref="Trainer.TrainStep"/>, each batch of <see cref="Trainer.Train"/>
/// and <c>Fit</c>), each <see cref="Optimizer.Update"/> and each iteration of a <c>foreach</c> over a
/// <see cref="DataLoader"/>, so a training loop needs no scope of its own. Outside any scope a tensor lives until
/// <see cref="Dispose"/>; if it is only collected, the GC frees its memory but it never returns to the pool and stays
/// counted in <see cref="Device.LiveBuffers"/>. Reading a released tensor throws <see cref="ObjectDisposedException"/>
/// naming what released it: a tensor object never turns into another tensor. To hold one past its scope, keep it
/// (<see cref="TensorScope.Keep{T}"/> of <see cref="TensorScope.Current"/>) or copy it (<see cref="Clone"/>,
/// <c>ToArray</c>, <c>Item</c>) while it is alive.
/// </remarks>
public partial class Tensor : IDisposable
{
    private DeviceBuffer? _buffer;

    private protected Tensor(Shape shape, Device device, DeviceBuffer buffer, int offset, bool scoped)
    {
        Shape = shape;
        Device = device;
        _buffer = buffer;
        Offset = offset;
        if (scoped) TensorScope.Current?.Register(this);
    }

    /// <summary>The dimensions, outermost first.</summary>
    public Shape Shape { get; }

    /// <summary>The device whose memory holds the elements.</summary>
    public Device Device { get; private set; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Length;

    /// <summary>An optional name, used in messages (parameters are named by their layer).</summary>
    public string? Name { get; set; }

    /// <summary>Whether the tensor's memory was released (by <see cref="Dispose"/> or its scope).</summary>
    public bool IsDisposed => _buffer is null;

    /// <summary>Element offset of this tensor in its buffer (views share a buffer).</summary>
    internal int Offset { get; }

    /// <summary>The memory; throws if released.</summary>
    internal DeviceBuffer Buffer => _buffer ?? throw new ObjectDisposedException(Describe(),
        $"{Describe()} was released {_releasedBy} and can no longer be read. To use a tensor past its scope, keep it with " +
        "TensorScope.Current.Keep(t), or copy it with Clone(), ToArray() or Item() while it is alive");

    // What released the memory, for the message of a later read.
    private string? _releasedBy;

    internal IBackend Backend => Device.Backend;

    /// <summary>The scope that releases this tensor, if any.</summary>
    internal TensorScope? Scope { get; set; }

    /// <summary>The id of the tape this tensor is tracked on (0: none). Set for gradient sources and recorded results.</summary>
    internal int TapeId { get; set; }

    /// <summary>The input whose gradient this tensor sums, when the tape made it for that: later gradients of that input are added in place.</summary>
    internal Tensor? AccumulatesGradientOf { get; set; }

    /// <summary>The gradient accumulated for this tensor during a backward pass.</summary>
    internal Tensor? Grad { get; set; }

    /// <summary>Allocates an uninitialised tensor in the current scope.</summary>
    internal static Tensor Create(Shape shape, Device device) =>
        new(shape, device, device.Backend.Allocate(shape.Length), 0, scoped: true);

    /// <summary>Allocates an uninitialised tensor that belongs to no scope (layer buffers, optimizer state).</summary>
    internal static Tensor CreateUnscoped(Shape shape, Device device) =>
        new(shape, device, device.Backend.Allocate(shape.Length), 0, scoped: false);

    /// <summary>A tensor that shares this one's memory under another shape of the same length.</summary>
    internal Tensor View(Shape shape, int offset = 0)
    {
        var b = Buffer;
        b.Retain();
        return new Tensor(shape, Device, b, Offset + offset, scoped: true);
    }

    /// <summary>Releases the memory now. Safe to call twice. Tensors viewing the same memory keep it alive.</summary>
    public void Dispose()
    {
        Release("by Dispose");
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the memory; <paramref name="by"/> says what did, for the message of a later read.</summary>
    internal void Release(string by)
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is null) return;
        _releasedBy = by;
        b.Release();
    }

    /// <summary>Text used to name this tensor in messages.</summary>
    internal string Describe() => Name is null ? $"Tensor {Shape}" : $"Tensor '{Name}' {Shape}";
}
