using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// The GPU backend: every <see cref="IBackend"/> primitive as an ILGPU kernel on one accelerator (CUDA, OpenCL 2.0, or
/// ILGPU's CPU accelerator, which runs the same kernels on threads for tests). Kernels are static methods beside their
/// launchers, one partial file per family as in the CPU backend; each launcher is compiled on first use and kept for
/// the accelerator's lifetime. All work goes to one stream in order; only <see cref="Download"/> waits for it.
/// </summary>
public sealed partial class IlgpuBackend : IBackend, IDisposable
{
    private readonly Context _context;
    private readonly bool _ownsContext;
    private readonly AcceleratorStream _stream;
    private readonly int _groupSize;
    private readonly CublasGemm? _cublas;
    private bool _disposed;
    private long _uploads, _downloads, _kernelLoads, _launches;

    /// <summary>Creates a backend over <paramref name="accelerator"/>; disposing the backend disposes the accelerator (and the context when owned).</summary>
    internal IlgpuBackend(Context context, Accelerator accelerator, string name, bool ownsContext)
    {
        _context = context;
        _ownsContext = ownsContext;
        Accelerator = accelerator;
        Name = name;
        _groupSize = accelerator.MaxNumThreadsPerGroup;
        if (_groupSize < 16)
        {
            // The backend owns the accelerator from here on, so a refused one is released here.
            accelerator.Dispose();
            throw new GpuUnavailableException($"{name}: groups of at least 16 threads are needed, the device allows {_groupSize}");
        }
        _stream = accelerator.CreateStream();
        Allocator = new CachingAllocator(this, accelerator);
        Staging = new StagingRing(accelerator, _stream);
        if (accelerator is CudaAccelerator cuda)
        {
            _cublas = CublasGemm.TryCreate(cuda, _stream, out var reason);
            GemmEngine = _cublas is null ? $"ILGPU tiled kernel ({reason})" : $"cuBLAS ({_cublas.Library})";
        }
        else
        {
            GemmEngine = "ILGPU tiled kernel";
        }
    }

    /// <summary>
    /// What runs matrix products on this device: cuBLAS on CUDA where it is found (with the file), else the backend's own
    /// tiled kernel (on CUDA with the reason cuBLAS was not used). <c>DEEPLEARNING_CUBLAS=0</c> in the environment turns
    /// cuBLAS off for devices opened afterwards.
    /// </summary>
    public string GemmEngine { get; }

    /// <summary>
    /// Lets cuBLAS use TF32 tensor cores for float32 matrix products on CUDA: several times faster on Ampere and later,
    /// with about 10 mantissa bits instead of 23 (PyTorch's <c>torch.backends.cuda.matmul.allow_tf32</c>). Off by
    /// default, so products match the CPU to float32 precision. Setting it where cuBLAS is not in use throws.
    /// </summary>
    /// <exception cref="NotSupportedException">The device does not run its products on cuBLAS (see <see cref="GemmEngine"/>).</exception>
    public bool AllowTf32
    {
        get => _cublas?.AllowTf32 ?? false;
        set
        {
            if (_cublas is null)
            {
                if (!value) return;
                throw new NotSupportedException($"{Name}: TF32 needs cuBLAS on a CUDA device; this device's products run on the {GemmEngine}");
            }
            _cublas.AllowTf32 = value;
        }
    }

    /// <summary>The ILGPU accelerator the kernels run on.</summary>
    internal Accelerator Accelerator { get; }

    internal CachingAllocator Allocator { get; }

    /// <summary>Page-locked staging of host-to-device copies (non-blocking uploads).</summary>
    internal StagingRing Staging { get; }

    /// <summary>Whether groups of 256 threads (16 × 16 GEMM tiles, 256-wide reductions) fit on the device.</summary>
    internal bool WideGroups => _groupSize >= 256;

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public long LiveBuffers => Allocator.LiveBuffers;

    /// <summary>Bytes of device memory held by live buffers (rounded up to their size classes).</summary>
    public long BytesInUse => Allocator.BytesInUse;

    /// <summary>Bytes of device memory held from the driver but not in use: free arena blocks and cached large buffers.</summary>
    public long BytesCached => Allocator.BytesCached;

    /// <summary>Device allocations made from the driver so far; flat once a training loop reaches its steady state.</summary>
    public long DriverAllocations => Allocator.DriverAllocations;

    /// <summary>
    /// An upper bound on the device memory this backend holds (in use plus cached); a request past it throws
    /// <see cref="GpuOutOfMemoryException"/>. Unlimited by default.
    /// </summary>
    public long MemoryLimit
    {
        get => Allocator.Limit;
        set => Allocator.Limit = value;
    }

    /// <summary>Returns empty arenas and cached large buffers to the driver; returns the bytes freed.</summary>
    public long TrimCache() => Allocator.Trim();

    /// <summary>The one stream every kernel and copy of this backend is queued on (NCCL collectives join it).</summary>
    internal AcceleratorStream Stream => _stream;

    /// <summary>Waits until every kernel and copy queued so far has finished.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An embedding lookup since the last synchronisation met an id outside
    /// its vocabulary (the lookup itself cannot throw without waiting for the device).</exception>
    public void Synchronize()
    {
        long queued = Staging.Queued;
        _stream.Synchronize();
        Staging.Completed(queued);
        ThrowOnInvalidEmbeddingIds();
    }

    /// <summary>
    /// Kernels and cuBLAS calls queued so far. A small training step is bound by launch overhead rather than arithmetic
    /// on a large GPU, so this is the number to watch there: read it before and after a step.
    /// </summary>
    public long KernelLaunches => Interlocked.Read(ref _launches);

    /// <summary>The stream for one kernel launch; every launcher takes its stream from here, which is what counts it.</summary>
    private AcceleratorStream LaunchStream
    {
        get
        {
            Interlocked.Increment(ref _launches);
            return _stream;
        }
    }

    /// <summary>Host-to-device copies so far (a training step on the device should make none).</summary>
    internal long Uploads => Interlocked.Read(ref _uploads);

    /// <summary>Device-to-host copies so far (a training step should make one: the loss).</summary>
    internal long Downloads => Interlocked.Read(ref _downloads);

    /// <summary>Kernels loaded so far: each once per backend, however often its op runs.</summary>
    internal long KernelLoads => Interlocked.Read(ref _kernelLoads);

    /// <inheritdoc/>
    public DeviceBuffer Allocate(int length) => Allocator.Allocate(length);

    /// <summary>The device memory behind a buffer of this backend.</summary>
    /// <exception cref="ArgumentException">The buffer belongs to another backend (tensors on two devices).</exception>
    internal ArrayView<float> View(DeviceBuffer buffer) =>
        buffer is IlgpuBuffer b && ReferenceEquals(b.Backend, this)
            ? b.View
            : throw new ArgumentException($"{Name}: buffer belongs to backend '{buffer.Backend.Name}'; move the tensor with To(device) first");

    /// <summary>
    /// Queues the copy through page-locked staging and returns without waiting for it (<see cref="StagingRing"/>);
    /// <paramref name="src"/> may be reused at once.
    /// </summary>
    public void Upload(ReadOnlySpan<float> src, DeviceBuffer dst, int dstOffset)
    {
        if (src.IsEmpty) return;
        Interlocked.Increment(ref _uploads);
        Staging.Upload(src, View(dst).SubView(dstOffset, src.Length));
    }

    /// <inheritdoc/>
    public void Download(DeviceBuffer src, int srcOffset, Span<float> dst)
    {
        if (dst.IsEmpty) return;
        Interlocked.Increment(ref _downloads);
        long queued = Staging.Queued;
        // Waits for the stream: every upload queued before it is done, so their staging slots are free again.
        View(src).SubView(srcOffset, dst.Length).CopyToCPU(_stream, dst);
        Staging.Completed(queued);
        ThrowOnInvalidEmbeddingIds();
    }

    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, float>? _fill;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, ArrayView<float>, int, int, int>? _copyBlocks;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, StridedLayout>? _copyStrided;

    /// <inheritdoc/>
    public void Fill(DeviceBuffer dst, int offset, int length, float value)
    {
        if (length <= 0) return;
        (_fill ??= Load(nameof(FillKernel), a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, float>(FillKernel)))(
            LaunchStream, length, View(dst), offset, value);
    }

    internal static void FillKernel(Index1D i, ArrayView<float> y, int offset, float value) => y[offset + i] = value;

    /// <inheritdoc/>
    public void CopyBlocks(DeviceBuffer src, int srcOffset, int srcStride, DeviceBuffer dst, int dstOffset, int dstStride, int blockLength, int count)
    {
        long total = (long)blockLength * count;
        if (total <= 0) return;
        (_copyBlocks ??= Load(nameof(CopyBlocksKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, ArrayView<float>, int, int, int>(CopyBlocksKernel)))(
            LaunchStream, checked((int)total), View(src), srcOffset, srcStride, View(dst), dstOffset, dstStride, blockLength);
    }

    internal static void CopyBlocksKernel(Index1D i, ArrayView<float> x, int xOffset, int xStride, ArrayView<float> y, int yOffset, int yStride, int block)
    {
        int b = i / block, j = i - b * block;
        y[yOffset + (long)b * yStride + j] = x[xOffset + (long)b * xStride + j];
    }

    /// <inheritdoc/>
    public void CopyStrided(DeviceBuffer x, int xOffset, ReadOnlySpan<int> xStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape)
    {
        long total = 1;
        foreach (int d in shape) total *= d;
        if (total == 0) return;
        var layout = StridedLayout.Create("CopyStrided", shape, xStrides, default);
        (_copyStrided ??= Load(nameof(CopyStridedKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int, StridedLayout>(CopyStridedKernel)))(
            LaunchStream, checked((int)total), View(x), xOffset, View(y), yOffset, layout);
    }

    internal static void CopyStridedKernel(Index1D i, ArrayView<float> x, int xOffset, ArrayView<float> y, int yOffset, StridedLayout layout)
    {
        layout.Offsets(i, out long xo, out _);
        y[yOffset + i] = x[xOffset + xo];
    }

    /// <summary>Loads (compiles) a kernel once; a compile failure names the kernel and device and carries ILGPU's message.</summary>
    internal T Load<T>(string kernel, Func<Accelerator, T> load)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _kernelLoads);
        try
        {
            return load(Accelerator);
        }
#pragma warning disable CA1031 // ILGPU reports compile failures with several exception types; all are wrapped with the kernel's name.
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new InvalidOperationException($"{Name}: kernel {kernel} failed to compile: {e.Message}", e);
        }
    }

    /// <summary>Releases cached memory, the stream, the accelerator and (when owned) the ILGPU context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stream.Synchronize();
        _cublas?.Dispose();
        Staging.Dispose();
        _embeddingErrors?.Dispose();
        Allocator.Dispose();
        _stream.Dispose();
        Accelerator.Dispose();
        if (_ownsContext) _context.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
