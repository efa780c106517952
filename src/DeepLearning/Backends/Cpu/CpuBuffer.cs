namespace DeepLearning.Backends.Cpu;

/// <summary>CPU memory: a pooled managed array, visible to the GC. Only the first <see cref="DeviceBuffer.Length"/> elements are in use.</summary>
public sealed class CpuBuffer : DeviceBuffer
{
    private readonly CpuBackend _backend;

    internal CpuBuffer(CpuBackend backend, float[] array, int length) : base(length)
    {
        _backend = backend;
        Array = array;
    }

    /// <summary>The backing array; may be longer than <see cref="DeviceBuffer.Length"/>.</summary>
    public float[] Array { get; private set; }

    /// <inheritdoc/>
    public override IBackend Backend => _backend;

    /// <summary>The elements from <paramref name="offset"/> to the end of the buffer.</summary>
    public Span<float> AsSpan(int offset) => Array.AsSpan(offset, Length - offset);

    /// <summary><paramref name="length"/> elements from <paramref name="offset"/>.</summary>
    public Span<float> AsSpan(int offset, int length) => Array.AsSpan(offset, length);

    /// <summary>Gives this released wrapper a new array: the backend reuses wrappers as it reuses arrays.</summary>
    internal bool TryReuse(float[] array, int length)
    {
        if (!TryReuse(length)) return false;
        Array = array;
        return true;
    }

    /// <summary>Drops the array of this released wrapper.</summary>
    internal void Detach() => Array = [];

    /// <inheritdoc/>
    protected override void Free() => _backend.Return(this);
}
