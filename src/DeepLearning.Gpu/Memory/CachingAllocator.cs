using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// A caching allocator over one accelerator. A request is rounded up to a size class (<see cref="SizeClasses"/>); a
/// block of up to <see cref="ArenaBlockLimit"/> bytes is carved from an arena of its class — one large driver buffer
/// cut into equal blocks, handed out as 256-byte-aligned views — and a larger one gets a dedicated driver buffer. A
/// released block goes back to its arena (or, dedicated, to a free list of its class), never to the driver, so a
/// training step that repeats its shapes makes no driver call once warm: each <c>cuMemAlloc</c>/<c>cuMemFree</c>
/// synchronises the device and costs tens of microseconds.
/// </summary>
/// <remarks>
/// An arena holds at least 8 blocks: 2 MiB for blocks up to 256 KiB, 8 blocks (up to 32 MiB) above. Allocation takes
/// the first arena of the class with a free block, so live blocks pack into old arenas and new ones empty first;
/// <see cref="Trim"/> returns empty arenas and cached dedicated buffers to the driver. Statistics are exact:
/// <see cref="BytesInUse"/> sums the class sizes of live blocks, <see cref="BytesReserved"/> the driver buffers held.
/// </remarks>
internal sealed class CachingAllocator : IDisposable
{
    /// <summary>Blocks larger than this (in bytes) get a buffer of their own.</summary>
    public const long ArenaBlockLimit = 4L << 20;

    /// <summary>Size of an arena of small blocks (up to 256 KiB).</summary>
    public const long SmallArenaBytes = 2L << 20;

    private const long SmallBlockLimit = 256L << 10;
    private const int MinBlocksPerArena = 8;

    private readonly Accelerator _accelerator;
    private readonly IlgpuBackend _backend;
    private readonly List<Arena>[] _arenas = new List<Arena>[SizeClasses.Count];
    private readonly Stack<Dedicated>[] _dedicated = new Stack<Dedicated>[SizeClasses.Count];
    private readonly Lock _lock = new();
    // On the CPU accelerator a buffer is AllocHGlobal memory (16-byte aligned), so arenas take 256 bytes of slack and
    // start at the first aligned address; CUDA's allocations are aligned already, OpenCL's views are offsets into a buffer.
    private readonly bool _alignByAddress;
    private long _live, _bytesInUse, _bytesReserved, _driverAllocations, _driverFrees;

    public CachingAllocator(IlgpuBackend backend, Accelerator accelerator)
    {
        _backend = backend;
        _accelerator = accelerator;
        _alignByAddress = accelerator.AcceleratorType == AcceleratorType.CPU;
        for (int i = 0; i < _arenas.Length; i++)
        {
            _arenas[i] = [];
            _dedicated[i] = new();
        }
    }

    /// <summary>Upper bound on bytes held from the driver; a request past it fails as out of memory.</summary>
    public long Limit { get; set; } = long.MaxValue;

    /// <summary>The backend whose buffers this allocator makes.</summary>
    public IlgpuBackend Backend => _backend;

    public long LiveBuffers => Interlocked.Read(ref _live);

    /// <summary>Bytes of live blocks, each counted at its class size.</summary>
    public long BytesInUse => Interlocked.Read(ref _bytesInUse);

    /// <summary>Bytes of driver buffers held (arenas and dedicated buffers, in use or cached).</summary>
    public long BytesReserved => Interlocked.Read(ref _bytesReserved);

    /// <summary>Reserved bytes no live block occupies: free arena blocks and cached dedicated buffers.</summary>
    public long BytesCached => BytesReserved - BytesInUse;

    /// <summary>Driver allocations made so far (flat once a training loop reaches its steady state).</summary>
    public long DriverAllocations => Interlocked.Read(ref _driverAllocations);

    /// <summary>Driver buffers freed so far (only <see cref="Trim"/> and disposal free).</summary>
    public long DriverFrees => Interlocked.Read(ref _driverFrees);

    /// <summary>Arenas currently held, for tests.</summary>
    internal int ArenaCount
    {
        get
        {
            lock (_lock) return _arenas.Sum(a => a.Count);
        }
    }

    /// <summary>Blocks per arena of class <paramref name="cls"/>, or 0 when its blocks are dedicated buffers.</summary>
    internal static int BlocksPerArena(int cls)
    {
        long size = SizeClasses.SizeOf(cls);
        if (size > ArenaBlockLimit) return 0;
        return size <= SmallBlockLimit ? (int)(SmallArenaBytes / size) : MinBlocksPerArena;
    }

    public IlgpuBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int cls = SizeClasses.Of(4L * length);
        long bytes = SizeClasses.SizeOf(cls);
        IlgpuBuffer buffer;
        lock (_lock)
        {
            buffer = BlocksPerArena(cls) > 0 ? FromArena(cls, length) : FromDedicated(cls, length);
            _live++;
            _bytesInUse += bytes;
        }
        return buffer;
    }

    private IlgpuBuffer FromArena(int cls, int length)
    {
        var arenas = _arenas[cls];
        Arena? arena = null;
        foreach (var a in arenas)
            if (a.Free.Count > 0)
            {
                arena = a;
                break;
            }
        // A block that once fell back to a buffer of its own (no room for an arena) is reused before a new arena is tried.
        if (arena is null && _dedicated[cls].Count > 0) return FromDedicated(cls, length);
        if (arena is null)
        {
            int blocks = BlocksPerArena(cls);
            long blockFloats = SizeClasses.SizeOf(cls) / 4;
            var memory = AllocateFromDriver(blocks * blockFloats, length, cls, out var view, out long reserved, allowFallback: true);
            if (memory is null)
            {
                // The whole arena did not fit: a dedicated buffer of one block may still.
                return FromDedicated(cls, length);
            }
            arena = new Arena(memory, view, cls, blocks, reserved);
            arenas.Add(arena);
        }
        int slot = arena.Free.Pop();
        long floats = SizeClasses.SizeOf(cls) / 4;
        return new IlgpuBuffer(this, arena.View.SubView(slot * floats, floats), cls, length, arena, slot, null);
    }

    private IlgpuBuffer FromDedicated(int cls, int length)
    {
        if (!_dedicated[cls].TryPop(out var own))
        {
            long floats = SizeClasses.SizeOf(cls) / 4;
            var memory = AllocateFromDriver(floats, length, cls, out var view, out long reserved, allowFallback: false)!;
            own = new Dedicated(memory, view, reserved);
        }
        return new IlgpuBuffer(this, own.View, cls, length, null, 0, own);
    }

    /// <summary>
    /// One driver buffer of <paramref name="floats"/> usable floats, aligned; on failure trims the cache and retries once.
    /// With <paramref name="allowFallback"/> a final failure returns null (the caller tries something smaller), else throws.
    /// </summary>
    private MemoryBuffer1D<float, Stride1D.Dense>? AllocateFromDriver(long floats, int length, int cls, out ArrayView<float> view,
        out long reserved, bool allowFallback)
    {
        long slack = _alignByAddress ? SizeClasses.Alignment / 4 : 0;
        reserved = 4 * (floats + slack);
        for (int attempt = 0; ; attempt++)
        {
            Exception? failure = null;
            if (BytesReserved + reserved <= Limit)
            {
                try
                {
                    var memory = _accelerator.Allocate1D<float>(floats + slack);
                    long skip = 0;
                    if (_alignByAddress)
                    {
                        long address = memory.View.BaseView.LoadEffectiveAddressAsPtr().ToInt64();
                        skip = (SizeClasses.Alignment - address % SizeClasses.Alignment) % SizeClasses.Alignment / 4;
                    }
                    view = memory.View.BaseView.SubView(skip, floats);
                    _driverAllocations++;
                    _bytesReserved += reserved;
                    return memory;
                }
#pragma warning disable CA1031 // Any driver failure here is reported as out of memory, with the driver's exception inside.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failure = e;
                }
            }
            // Empty arenas and cached buffers are memory the request could use: give them back and retry once.
            if (attempt == 0 && TrimLocked() > 0) continue;
            view = default;
            if (allowFallback) return null;
            long bytes = SizeClasses.SizeOf(cls);
            throw new GpuOutOfMemoryException(
                $"{_backend.Name}: out of device memory allocating {length} floats ({bytes} bytes requested); " +
                $"{BytesInUse} bytes in use, {BytesCached} cached, {FreeBytes()} free of {_accelerator.MemorySize}", bytes, failure);
        }
    }

    private long FreeBytes()
    {
        long free = Math.Max(0, _accelerator.MemorySize - BytesReserved);
        if (_accelerator is CudaAccelerator cuda)
        {
            try
            {
                free = cuda.GetFreeMemory();
            }
#pragma warning disable CA1031 // Only for the message: the estimate above stands when the driver cannot say.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        return Limit == long.MaxValue ? free : Math.Min(free, Math.Max(0, Limit - BytesReserved));
    }

    public void Return(IlgpuBuffer buffer)
    {
        lock (_lock)
        {
            if (buffer.Arena is { } arena) arena.Free.Push(buffer.Slot);
            else _dedicated[buffer.SizeClass].Push(buffer.Dedicated!);
            _live--;
            _bytesInUse -= SizeClasses.SizeOf(buffer.SizeClass);
        }
    }

    /// <summary>Frees empty arenas and cached dedicated buffers to the driver; returns the bytes freed.</summary>
    public long Trim()
    {
        lock (_lock) return TrimLocked();
    }

    private long TrimLocked()
    {
        long freed = 0;
        for (int c = 0; c < _arenas.Length; c++)
        {
            var arenas = _arenas[c];
            for (int i = arenas.Count - 1; i >= 0; i--)
                if (arenas[i].Free.Count == arenas[i].Blocks)
                {
                    freed += Free(arenas[i].Memory, arenas[i].Reserved);
                    arenas.RemoveAt(i);
                }
            while (_dedicated[c].TryPop(out var own)) freed += Free(own.Memory, own.Reserved);
        }
        return freed;
    }

    private long Free(MemoryBuffer1D<float, Stride1D.Dense> memory, long reserved)
    {
        memory.Dispose();
        _driverFrees++;
        _bytesReserved -= reserved;
        return reserved;
    }

    public void Dispose() => Trim();

    /// <summary>A driver buffer cut into equal blocks of one class; <see cref="Free"/> holds the unused block indices.</summary>
    internal sealed class Arena
    {
        public Arena(MemoryBuffer1D<float, Stride1D.Dense> memory, ArrayView<float> view, int cls, int blocks, long reserved)
        {
            Memory = memory;
            View = view;
            Class = cls;
            Blocks = blocks;
            Reserved = reserved;
            // Popped from the top: block 0 first, so live blocks sit at the arena's start.
            for (int i = blocks - 1; i >= 0; i--) Free.Push(i);
        }

        public MemoryBuffer1D<float, Stride1D.Dense> Memory { get; }

        public ArrayView<float> View { get; }

        public int Class { get; }

        public int Blocks { get; }

        public long Reserved { get; }

        public Stack<int> Free { get; } = new();
    }

    /// <summary>A driver buffer holding one block too large for an arena.</summary>
    internal sealed record Dedicated(MemoryBuffer1D<float, Stride1D.Dense> Memory, ArrayView<float> View, long Reserved);
}
