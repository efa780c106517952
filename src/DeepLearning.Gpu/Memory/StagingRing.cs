using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// Host-to-device uploads that do not block: the data is copied into one of <see cref="Slots"/> page-locked staging
/// buffers and an asynchronous copy from there is queued on the device's stream, so the caller returns at once and the
/// host prepares the next batch while the device still runs the current step (the copy itself runs in stream order,
/// after the kernels queued before it). A synchronous copy from pageable memory would instead wait for every queued
/// kernel and then for the copy.
/// </summary>
/// <remarks>
/// <para>A staging slot is reused only once its last copy has finished: every queued copy gets a sequence number, every
/// wait on the stream (a download, <see cref="IlgpuBackend.Synchronize"/>) marks the numbers queued before it as done,
/// and reusing a slot whose copy is not known to be done waits on the stream first. A training loop reads its loss each
/// step, so in steady state that wait never happens.</para>
/// <para>Slots grow to the largest upload they served (rounded up to a power of two) and are kept: a loop of equal
/// batches makes no page-locked allocation after its first <see cref="Slots"/> uploads. Uploads over
/// <see cref="MaxStagedFloats"/> (whole data sets, weights) are copied synchronously instead of growing the ring.
/// On CUDA the staging memory is page-locked (<c>cuMemHostRegister</c>), so the copy is DMA from host memory; ILGPU's CPU
/// accelerator and OpenCL have no page locking and use the pinned array as it is (OpenCL's write is still non-blocking).</para>
/// </remarks>
internal sealed class StagingRing : IDisposable
{
    /// <summary>Number of staging buffers.</summary>
    public const int Slots = 4;

    /// <summary>The largest upload that is staged (16 MiB); larger ones are copied synchronously.</summary>
    public const int MaxStagedFloats = 4 << 20;

    private const int MinSlotFloats = 16 << 10;

    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly PageLockedArray1D<float>?[] _slots = new PageLockedArray1D<float>?[Slots];
    private readonly long[] _slotCopy = new long[Slots];
    private readonly Lock _lock = new();
    private int _next;
    private long _queued, _done, _pinnedAllocations, _waits;

    public StagingRing(Accelerator accelerator, AcceleratorStream stream)
    {
        _accelerator = accelerator;
        _stream = stream;
    }

    /// <summary>Page-locked buffers allocated so far (flat once uploads repeat their sizes).</summary>
    public long PinnedAllocations => Interlocked.Read(ref _pinnedAllocations);

    /// <summary>Times a slot's reuse had to wait for the stream (its previous copy not known to be done).</summary>
    public long Waits => Interlocked.Read(ref _waits);

    /// <summary>Copies queued so far; pass it to <see cref="Completed"/> after waiting on the stream.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>
    /// Queues a copy of <paramref name="src"/> to the start of <paramref name="dst"/> and returns without waiting for it;
    /// <paramref name="src"/> may be reused as soon as this returns.
    /// </summary>
    public void Upload(ReadOnlySpan<float> src, ArrayView<float> dst)
    {
        if (src.IsEmpty) return;
        var target = dst.SubView(0, src.Length);
        if (src.Length > MaxStagedFloats)
        {
            long queued = Queued;
            target.CopyFromCPU(_stream, src);
            Completed(queued);
            return;
        }
        lock (_lock)
        {
            int s = _next;
            _next = (s + 1) % Slots;
            if (_slotCopy[s] > _done)
            {
                // The slot's last copy may still be reading it: wait, and everything queued so far is done.
                long queued = _queued;
                _stream.Synchronize();
                _done = Math.Max(_done, queued);
                _waits++;
            }
            var slot = _slots[s];
            if (slot is null || slot.Length < src.Length)
            {
                slot?.Dispose();
                slot = _slots[s] = _accelerator.AllocatePageLocked1D<float>(Math.Max(MinSlotFloats, (long)BitOperations.RoundUpToPowerOf2((uint)src.Length)), uninitialized: true);
                _pinnedAllocations++;
            }
            var staged = slot.Span[..src.Length];
            src.CopyTo(staged);
            target.CopyFromCPUUnsafeAsync(_stream, ref staged[0], src.Length);
            _slotCopy[s] = ++_queued;
        }
    }

    /// <summary>Records that the stream was waited on after <paramref name="queued"/> copies had been queued.</summary>
    public void Completed(long queued)
    {
        lock (_lock) _done = Math.Max(_done, queued);
    }

    public void Dispose()
    {
        _stream.Synchronize();
        foreach (var slot in _slots) slot?.Dispose();
    }
}
