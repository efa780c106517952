using DeepLearning.Backends;

namespace DeepLearning;

/// <summary>
/// An n-dimensional array of float32 on a <see cref="Device"/>: row-major, contiguous, batch first. Arithmetic
/// follows NumPy broadcasting, and every op is differentiable (see <see cref="Autodiff"/>).
/// </summary>
/// <remarks>
/// Memory: a tensor created inside a <see cref="TensorScope"/> is released when the scope ends unless kept. Outside any
/// scope it lives until <see cref="Dispose"/>; if it is only collected, the GC frees its memory but it never returns to
/// the pool and stays counted in <see cref="Device.LiveBuffers"/> (on a GPU device that would be device memory held),
/// so loops create their tensors inside a scope. Using a released tensor throws <see cref="ObjectDisposedException"/>,
/// with one exception: the tensor objects the library's own step scopes release — the temporaries of
/// <see cref="Trainer.TrainStep"/>, of each batch of <see cref="Trainer.Train"/>, <c>Fit</c> and <c>Evaluate</c> (the
/// batch itself included), and of <see cref="Optimizer.Update"/> — are reused as the tensors of later steps, so that a
/// step allocates nothing. A reference to one held past its step may then show another tensor's data (and disposing it
/// would release that tensor) instead of throwing: do not hold on to a tensor made inside a loss function; keep it with
/// <see cref="TensorScope.Keep{T}"/> of <see cref="TensorScope.Current"/> (in <c>Train</c> and <c>Fit</c> it then lives
/// until the end of its batch), or copy out what you need (<c>ToArray</c>, <c>Item</c>).
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

    /// <summary>A tensor over <paramref name="buffer"/>: a recycled object when a step scope left one, else a new one.</summary>
    private static Tensor Make(Shape shape, Device device, DeviceBuffer buffer, int offset, bool scoped)
    {
        var t = TensorScope.TakeRecycled();
        if (t is null) return new Tensor(shape, device, buffer, offset, scoped);
        t.Shape = shape;
        t.Device = device;
        t.Offset = offset;
        t.Name = null;
        t.TapeId = 0;
        t.Grad = null;
        t.Kept = false;
        t._buffer = buffer;
        if (scoped) TensorScope.Current?.Register(t);
        return t;
    }

    /// <summary>The dimensions, outermost first.</summary>
    public Shape Shape { get; private set; }

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
    internal int Offset { get; private set; }

    /// <summary>The memory; throws if released.</summary>
    internal DeviceBuffer Buffer => _buffer ?? throw new ObjectDisposedException(Describe(), $"{Describe()} was released (by Dispose or by the end of its TensorScope) and can no longer be read");

    internal IBackend Backend => Device.Backend;

    /// <summary>The scope that releases this tensor, if any.</summary>
    internal TensorScope? Scope { get; set; }

    /// <summary>Whether <see cref="TensorScope.Keep{T}"/> moved this tensor: the scope that finally releases it must not reuse the object.</summary>
    internal bool Kept { get; set; }

    /// <summary>The id of the tape this tensor is tracked on (0: none). Set for gradient sources and recorded results.</summary>
    internal int TapeId { get; set; }

    /// <summary>The gradient accumulated for this tensor during a backward pass.</summary>
    internal Tensor? Grad { get; set; }

    /// <summary>Allocates an uninitialised tensor in the current scope.</summary>
    internal static Tensor Create(Shape shape, Device device) =>
        Make(shape, device, device.Backend.Allocate(shape.Length), 0, scoped: true);

    /// <summary>Allocates an uninitialised tensor that belongs to no scope (layer buffers, optimizer state).</summary>
    internal static Tensor CreateUnscoped(Shape shape, Device device) =>
        Make(shape, device, device.Backend.Allocate(shape.Length), 0, scoped: false);

    /// <summary>A tensor that shares this one's memory under another shape of the same length.</summary>
    internal Tensor View(Shape shape, int offset = 0)
    {
        var b = Buffer;
        b.Retain();
        return Make(shape, Device, b, Offset + offset, scoped: true);
    }

    /// <summary>
    /// Releases the memory now. Safe to call twice (on a tensor of a training step, only until the step ends: see the
    /// remarks on <see cref="Tensor"/>). Tensors viewing the same memory keep it alive.
    /// </summary>
    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        b?.Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Text used to name this tensor in messages.</summary>
    internal string Describe() => Name is null ? $"Tensor {Shape}" : $"Tensor '{Name}' {Shape}";
}
