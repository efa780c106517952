using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// A caching allocator over one accelerator: requests are rounded up to a power-of-two size class (at least 64 floats,
/// 256 bytes) and released blocks wait in a free list per class for the next request of that class, so a training
/// step that repeats the same shapes allocates and frees no device memory after its first iteration
/// (each driver allocation is a <c>cuMemAlloc</c>, a synchronising call costing tens of microseconds).
/// </summary>
internal sealed class CachingAllocator : IDisposable
{
    private const int MinClass = 6;
    private readonly Accelerator _accelerator;
    private readonly IlgpuBackend _backend;
    private readonly Stack<MemoryBuffer1D<float, Stride1D.Dense>>[] _free = new Stack<MemoryBuffer1D<float, Stride1D.Dense>>[32];
    private readonly Lock _lock = new();
    private long _live, _bytesInUse, _bytesCached, _driverAllocations;

    public CachingAllocator(IlgpuBackend backend, Accelerator accelerator)
    {
        _backend = backend;
        _accelerator = accelerator;
        for (int i = 0; i < _free.Length; i++) _free[i] = new();
    }

    /// <summary>Upper bound on bytes held from the driver (in use plus cached); requests past it fail as out of memory.</summary>
    public long Limit { get; set; } = long.MaxValue;

    public long LiveBuffers => Interlocked.Read(ref _live);

    public long BytesInUse => Interlocked.Read(ref _bytesInUse);

    public long BytesCached => Interlocked.Read(ref _bytesCached);

    /// <summary>Driver allocations made so far (flat once a training loop reaches its steady state).</summary>
    public long DriverAllocations => Interlocked.Read(ref _driverAllocations);

    internal static int ClassOf(int length) => Math.Max(MinClass, length <= 1 ? 0 : 32 - int.LeadingZeroCount(length - 1));

    public IlgpuBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int cls = ClassOf(length);
        long bytes = 4L << cls;
        MemoryBuffer1D<float, Stride1D.Dense>? block = null;
        lock (_lock)
        {
            if (_free[cls].TryPop(out block)) _bytesCached -= bytes;
        }
        block ??= AllocateFromDriver(cls, length);
        Interlocked.Increment(ref _live);
        Interlocked.Add(ref _bytesInUse, bytes);
        return new IlgpuBuffer(_backend, block, cls, length);
    }

    private MemoryBuffer1D<float, Stride1D.Dense> AllocateFromDriver(int cls, int length)
    {
        long bytes = 4L << cls;
        for (int attempt = 0; ; attempt++)
        {
            Exception? failure = null;
            if (BytesInUse + BytesCached + bytes <= Limit)
            {
                try
                {
                    var block = _accelerator.Allocate1D<float>(1L << cls);
                    Interlocked.Increment(ref _driverAllocations);
                    return block;
                }
#pragma warning disable CA1031 // Any driver failure here is reported as out of memory, with the driver's exception inside.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failure = e;
                }
            }
            // Cached blocks of other classes are memory the request could use: give them back and retry once.
            if (attempt == 0 && Trim() > 0) continue;
            throw new GpuOutOfMemoryException(
                $"{_backend.Name}: out of device memory allocating {length} floats ({bytes} bytes requested); " +
                $"{BytesInUse} bytes in use, {BytesCached} cached, {Free} free of {_accelerator.MemorySize}", bytes, failure);
        }
    }

    private long Free => Limit == long.MaxValue ? Math.Max(0, _accelerator.MemorySize - BytesInUse - BytesCached) : Math.Max(0, Limit - BytesInUse - BytesCached);

    public void Return(IlgpuBuffer buffer)
    {
        long bytes = 4L << buffer.SizeClass;
        Interlocked.Decrement(ref _live);
        Interlocked.Add(ref _bytesInUse, -bytes);
        lock (_lock)
        {
            _free[buffer.SizeClass].Push(buffer.Block);
            _bytesCached += bytes;
        }
    }

    /// <summary>Frees every cached block to the driver; returns the bytes freed.</summary>
    public long Trim()
    {
        long freed = 0;
        lock (_lock)
        {
            for (int c = 0; c < _free.Length; c++)
                while (_free[c].TryPop(out var block))
                {
                    block.Dispose();
                    freed += 4L << c;
                }
            _bytesCached -= freed;
        }
        return freed;
    }

    public void Dispose() => Trim();
}
