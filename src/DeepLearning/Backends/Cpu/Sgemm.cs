using DeepLearning.Backends.Cpu.Gemm;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// Row-major single-precision GEMM, <c>C = α·op(A)·op(B) + β·C</c>, op(X) = X or Xᵀ. The one place matrix products
/// are computed on the CPU. Large problems take the packed, cache-blocked path (<see cref="PackedGemm"/>) on a
/// Vector512 or Vector256 FMA micro-kernel, split over threads by independent blocks of C; tiny and matrix·vector
/// problems take the unpacked <see cref="SmallGemm"/>. β = 0 never reads C. For a given thread count the result
/// is deterministic; every C element is summed in the same order whatever the split, so thread counts agree too.
/// </summary>
internal static unsafe class Sgemm
{
    /// <summary>Below this many multiply-adds (m·n·k) packing costs more than it saves.</summary>
    internal const long SmallWork = 16 * 1024;

    /// <summary>Below this many multiply-adds a second thread costs more (wake-up, duplicated packing) than it saves.</summary>
    internal const long ParallelWork = 1L << 19;

    /// <summary>Upper bound on threads per call (the benchmarks' thread-count switch).</summary>
    internal static int MaxThreads { get; set; } = Environment.ProcessorCount;

    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) =>
        Multiply(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc,
            MaxThreads, PackedGemm.WideByDefault);

    /// <summary>
    /// As <see cref="Multiply(bool, bool, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)"/>
    /// with the thread limit and kernel given per call, so tests can compare thread counts and cover the Vector256
    /// kernel without touching shared state.
    /// </summary>
    internal static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc,
        int maxThreads, bool wide) =>
        Multiply(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, maxThreads, wide, null, 0, false);

    /// <summary>
    /// The product followed by a dense layer's epilogue, <c>C = relu?(α·op(A)·op(B) + β·C + bias)</c>, with
    /// <paramref name="bias"/> (from <paramref name="biasOffset"/>, one value per column of C) added and the ReLU applied
    /// to each tile of C as soon as its last k block is done.
    /// </summary>
    internal static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc,
        int maxThreads, bool wide, float[]? bias, int biasOffset, bool relu)
    {
        wide &= PackedGemm.WideByDefault;
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Sgemm: negative size m={m}, n={n}, k={k}");
        if (m == 0 || n == 0) return;
        // The kernels use pointers, so the array bounds are checked once here instead of per element.
        CheckExtent("A", a.Length, aOffset, lda, transA ? k : m, transA ? m : k);
        CheckExtent("B", b.Length, bOffset, ldb, transB ? n : k, transB ? k : n);
        CheckExtent("C", c.Length, cOffset, ldc, m, n);
        if (bias is not null) CheckExtent("bias", bias.Length, biasOffset, n, 1, n);
        fixed (float* pa0 = a, pb0 = b, pc0 = c, pBias = bias)
        {
            float* pa = pa0 + aOffset, pb = pb0 + bOffset, pc = pc0 + cOffset;
            var epilogue = new Epilogue(bias is null ? null : pBias + biasOffset, relu);
            if (k == 0 || alpha == 0f)
            {
                Scale(m, n, beta, pc, ldc);
                epilogue.Apply(pc, ldc, m, n, 0);
                return;
            }
            // Element (i, p) of op(A) at pa[i·aRow + p·aCol]; (p, j) of op(B) at pb[p·bRow + j·bCol].
            long aRow = transA ? 1 : lda, aCol = transA ? lda : 1;
            long bRow = transB ? 1 : ldb, bCol = transB ? ldb : 1;
            long work = (long)m * n * k;
            if (!PackedGemm.IsSupported || work < SmallWork || m < 4)
            {
                SmallGemm.Run(transB, m, n, k, alpha, pa, aRow, aCol, pb, ldb, beta, pc, ldc, epilogue);
                return;
            }
            int threads = work < ParallelWork ? 1 : Math.Max(1, maxThreads);
            if (threads == 1)
            {
                PackedGemm.Run(wide, m, n, k, alpha, pa, aRow, aCol, pb, bRow, bCol, beta, pc, ldc, epilogue);
                return;
            }
            RunParallel(wide, threads, m, n, k, alpha, pa, aRow, aCol, pb, bRow, bCol, beta, pc, ldc, epilogue);
        }
    }

    /// <summary>
    /// Splits C into independent strips on micro-tile boundaries (one or two per thread); each strip packs and
    /// multiplies on its own, so threads meet only at the final join. Strips are handed out by an atomic counter
    /// (<see cref="WorkerPool"/>): the caller works too, and a helper that wakes late (the other core busy) simply
    /// finds fewer strips left — the caller never waits for a helper that has not started, and waits blocking, not
    /// spinning, for one still busy.
    /// </summary>
    private static void RunParallel(bool wide, int threads, int m, int n, int k, float alpha, float* a, long aRow, long aCol,
        float* b, long bRow, long bCol, float beta, float* c, long ldc, Epilogue epilogue)
    {
        // Columns unless C is taller than wide: each thread then packs its own part of B (the large, L3-resident
        // panel) and only the small L2 blocks of A are packed twice; measured a few % better on square products.
        bool splitRows = m > n;
        int tile = splitRows ? PackedGemm.MR(wide) : PackedGemm.NR(wide);
        int extent = splitRows ? m : n;
        int tiles = (extent + tile - 1) / tile;
        // Each strip re-packs the whole other operand, costing about 1/width of its arithmetic: one strip per
        // thread up to 1024 wide each, two (load balance when the other core is busy) beyond that.
        int strips = Math.Min(tiles, Math.Clamp(extent / 1024 / threads * threads, threads, 2 * threads));
        threads = Math.Min(threads, strips);
        // No helper to share with (nested inside a split call, or one core): strips would only re-pack.
        if (threads <= 1 || !WorkerPool.CanSplit)
        {
            PackedGemm.Run(wide, m, n, k, alpha, a, aRow, aCol, b, bRow, bCol, beta, c, ldc, epilogue);
            return;
        }
        var body = new Strips
        {
            Wide = wide, SplitRows = splitRows, Tile = tile, Tiles = tiles, Count = strips, Extent = extent,
            M = m, N = n, K = k, Alpha = alpha, Beta = beta,
            A = a, ARow = aRow, ACol = aCol, B = b, BRow = bRow, BCol = bCol, C = c, Ldc = ldc, Epilogue = epilogue,
        };
        WorkerPool.Run(strips, body, threads);
    }

    /// <summary>Strip s of C: tiles [Tiles·s/Count, Tiles·(s+1)/Count) along the split dimension.</summary>
    private struct Strips : IPartBody
    {
        public bool Wide, SplitRows;
        public int Tile, Tiles, Count, Extent, M, N, K;
        public float Alpha, Beta;
        public float* A, B, C;
        public long ARow, ACol, BRow, BCol, Ldc;
        public Epilogue Epilogue;

        public readonly void Execute(int s)
        {
            int start = (int)((long)Tiles * s / Count) * Tile;
            int end = Math.Min(Extent, (int)((long)Tiles * (s + 1) / Count) * Tile);
            if (SplitRows)
                PackedGemm.Run(Wide, end - start, N, K, Alpha, A + start * ARow, ARow, ACol, B, BRow, BCol, Beta,
                    C + start * Ldc, Ldc, Epilogue);
            else
                PackedGemm.Run(Wide, M, end - start, K, Alpha, A, ARow, ACol, B + start * BCol, BRow, BCol, Beta,
                    C + start, Ldc, Epilogue.Shift(start));
        }
    }

    private static void Scale(int m, int n, float beta, float* c, long ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var ci = new Span<float>(c + i * ldc, n);
            if (beta == 0f) ci.Clear();
            else if (beta != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(ci, beta, ci);
        }
    }

    private static void CheckExtent(string name, int length, int offset, int ld, int rows, int cols)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols)
            throw new ArgumentException($"Sgemm: leading dimension of {name} is {ld}, less than its {cols} columns");
        long last = (long)offset + (long)(rows - 1) * ld + cols - 1;
        if (offset < 0 || last >= length)
            throw new ArgumentException(
                $"Sgemm: {name} [{rows},{cols}] with offset {offset} and leading dimension {ld} needs {last + 1} elements, array has {length}");
    }
}
