using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// The CPU backend and the reference every other backend is tested against: managed, pooled memory; element-wise
/// loops from <see cref="TensorPrimitives"/> or SIMD operator structs (Vector512 with a Vector256 fallback chosen at
/// run time).
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    // Element-wise work below this many floats stays on the calling thread: waking a second core costs a few
    // microseconds, about what one core needs for 2^17 floats of a memory-bound map.
    internal const int ParallelThreshold = 1 << 17;

    private readonly FloatArrayPool _pool = new(maxRetainedFloats: 1L << 28);
    private long _live;
    private long _bytes;
    // Released buffer objects, reused by later allocations so a training step allocates no wrappers either. Per
    // thread: a stale reference to a released buffer can then see it reused only by its own thread's later work.
    [ThreadStatic] private static Stack<CpuBuffer>? _wrappers;
    private const int MaxWrappers = 4096;

    private CpuBackend() { }

    /// <summary>The process-wide CPU backend.</summary>
    public static CpuBackend Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "cpu";

    /// <inheritdoc/>
    public long LiveBuffers => Interlocked.Read(ref _live);

    /// <summary>Arrays the pool had to allocate (a steady-state training step adds none).</summary>
    internal long PoolMisses => _pool.Misses;

    /// <inheritdoc/>
    public DeviceBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Interlocked.Increment(ref _live);
        var array = _pool.Rent(length);
        Interlocked.Add(ref _bytes, (long)array.Length * sizeof(float));
        CpuBuffer? buffer = null;
        _wrappers?.TryPop(out buffer);
        return buffer is not null && buffer.TryReuse(array, length) ? buffer : new CpuBuffer(this, array, length);
    }

    /// <summary>
    /// Runs <paramref name="body"/>.Run(start, length) over [0, <paramref name="length"/>) in one chunk per core when the
    /// work is large enough to pay for the threads, else on the calling thread. Chunk boundaries are multiples of 64
    /// floats, so chunks never share a cache line and every chunk but the last keeps whole SIMD vectors. The body is a
    /// struct copied into a reused job (<see cref="WorkerPool"/>): no closure, no allocation per call.
    /// </summary>
    internal static void ForChunks<TBody>(int length, in TBody body) where TBody : struct, IChunkBody
    {
        int chunks = Math.Min(Environment.ProcessorCount, length / (ParallelThreshold / 2));
        if (chunks < 2 || !WorkerPool.CanSplit)
        {
            body.Run(0, length);
            return;
        }
        int size = ((length + chunks - 1) / chunks + 63) & ~63;
        WorkerPool.Run(chunks, new Chunks<TBody>(body, length, size));
    }

    /// <summary>Part c of <see cref="ForChunks{TBody}"/>: elements [c·size, min((c+1)·size, length)).</summary>
    private readonly struct Chunks<TBody>(TBody body, int length, int size) : IPartBody where TBody : struct, IChunkBody
    {
        public void Execute(int part)
        {
            int start = part * size;
            if (start < length) body.Run(start, Math.Min(size, length - start));
        }
    }

    internal void Return(CpuBuffer buffer)
    {
        Interlocked.Decrement(ref _live);
        Interlocked.Add(ref _bytes, -(long)buffer.Array.Length * sizeof(float));
        _pool.Return(buffer.Array);
        // The wrapper waits for reuse without its array, so an array the pool declines (too large, over its cap) is freed.
        buffer.Detach();
        var wrappers = _wrappers ??= new Stack<CpuBuffer>();
        if (wrappers.Count < MaxWrappers) wrappers.Push(buffer);
    }

    /// <summary>The CPU memory behind a buffer of this backend.</summary>
    /// <exception cref="ArgumentException">The buffer belongs to another backend.</exception>
    internal static CpuBuffer Cpu(DeviceBuffer buffer) =>
        buffer as CpuBuffer ?? throw new ArgumentException($"CPU backend: buffer belongs to backend '{buffer.Backend.Name}'");

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> src, DeviceBuffer dst, int dstOffset) => src.CopyTo(Cpu(dst).AsSpan(dstOffset, src.Length));

    /// <inheritdoc/>
    public void Download(DeviceBuffer src, int srcOffset, Span<float> dst) => Cpu(src).AsSpan(srcOffset, dst.Length).CopyTo(dst);

    /// <inheritdoc/>
    public void Fill(DeviceBuffer dst, int offset, int length, float value) => Cpu(dst).AsSpan(offset, length).Fill(value);

    /// <inheritdoc/>
    public void CopyBlocks(DeviceBuffer src, int srcOffset, int srcStride, DeviceBuffer dst, int dstOffset, int dstStride, int blockLength, int count)
    {
        var s = Cpu(src).Array;
        var d = Cpu(dst).Array;
        for (int i = 0; i < count; i++)
            Array.Copy(s, srcOffset + (long)i * srcStride, d, dstOffset + (long)i * dstStride, blockLength);
    }

    /// <inheritdoc/>
    public void CopyStrided(DeviceBuffer x, int xOffset, ReadOnlySpan<int> xStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape)
    {
        var src = Cpu(x).Array;
        var dst = Cpu(y).Array;
        int rank = shape.Length;
        int total = 1;
        foreach (int d in shape) total *= d;
        if (total == 0) return;
        if (rank == 0)
        {
            dst[yOffset] = src[xOffset];
            return;
        }
        int inner = shape[rank - 1], innerStride = xStrides[rank - 1];
        Span<int> idx = stackalloc int[rank];
        int xo = xOffset;
        for (int yo = yOffset, end = yOffset + total; yo < end; yo += inner)
        {
            // Span copies: Array.Copy's type checks cost more than the copy itself for attention's rows of 32 floats.
            if (innerStride == 1) src.AsSpan(xo, inner).CopyTo(dst.AsSpan(yo, inner));
            else if (innerStride == 0) dst.AsSpan(yo, inner).Fill(src[xo]);
            else for (int j = 0, s = xo; j < inner; j++, s += innerStride) dst[yo + j] = src[s];
            for (int d = rank - 2; d >= 0; d--)
            {
                xo += xStrides[d];
                if (++idx[d] < shape[d]) break;
                xo -= xStrides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /// <inheritdoc/>
    public void RandomUniform(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float low, float high)
    {
        var d = Cpu(dst).AsSpan(offset, length);
        float scale = high - low, top = low < high ? MathF.BitDecrement(high) : low;
        // low + scale·u can round up to high for u just below 1: clamp, so the interval stays half-open.
        // Element j is word j % 4 of block j / 4 (Philox.Uniform): one block serves four elements, where computing it
        // per element did the ten rounds four times (dropout masks spent more time here than in their GEMMs).
        ulong index = counter;
        for (int i = 0; i < d.Length;)
        {
            var (w0, w1, w2, w3) = Philox.Block(seed, index >> 2);
            for (int lane = (int)(index & 3); lane < 4 && i < d.Length; lane++, i++, index++)
            {
                uint word = lane switch { 0 => w0, 1 => w1, 2 => w2, _ => w3 };
                d[i] = MathF.Min(low + scale * Philox.ToUnit(word), top);
            }
        }
    }

    /// <inheritdoc/>
    public void RandomNormal(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float mean, float std)
    {
        var d = Cpu(dst).AsSpan(offset, length);
        for (int i = 0; i < d.Length; i++) d[i] = mean + std * Philox.Normal(seed, counter + (ulong)i);
    }
}

/// <summary>The work of a <see cref="CpuBackend.ForChunks{TBody}"/> call over a range of elements.</summary>
internal interface IChunkBody
{
    /// <summary>Processes elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
    void Run(int start, int length);
}
