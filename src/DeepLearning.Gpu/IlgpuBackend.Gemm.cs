using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// A GEMM problem as one kernel argument: element (i, p) of op(A) is at <c>AOff + i·ARow + p·ACol</c>, (p, j) of op(B)
/// at <c>BOff + p·BRow + j·BCol</c> (a transpose swaps the two strides), batch z adds z times the batch stride.
/// </summary>
internal struct GemmArgs
{
    public int M, N, K;
    public float Alpha, Beta;
    public long AOff, ARow, ACol, AStride;
    public long BOff, BRow, BCol, BStride;
    public long COff, Ldc, CStride;
}

public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>? _gemm;

    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, int, int, float>?[] _biasActivation =
        new Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, int, int, float>?[Enum.GetValues<UnaryOp>().Length];

    /// <inheritdoc/>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        DeviceBuffer a, int aOffset, int lda, long strideA,
        DeviceBuffer b, int bOffset, int ldb, long strideB,
        float beta, DeviceBuffer c, int cOffset, int ldc, long strideC, int batch)
    {
        if (m < 0 || n < 0 || k < 0 || batch < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"{Name} Gemm: negative size m={m}, n={n}, k={k}, batch={batch}");
        if (m == 0 || n == 0 || batch == 0) return;
        if (_cublas is { } blas)
        {
            Interlocked.Increment(ref _launches);
            blas.Gemm(transA, transB, m, n, k, alpha, From(a, aOffset), lda, strideA, From(b, bOffset), ldb, strideB,
                beta, From(c, cOffset), ldc, strideC, batch);
            return;
        }
        var args = new GemmArgs
        {
            M = m, N = n, K = k, Alpha = alpha, Beta = beta,
            AOff = aOffset, ARow = transA ? 1 : lda, ACol = transA ? lda : 1, AStride = strideA,
            BOff = bOffset, BRow = transB ? 1 : ldb, BCol = transB ? ldb : 1, BStride = strideB,
            COff = cOffset, Ldc = ldc, CStride = strideC,
        };
        var launch = _gemm ??= Load(nameof(GemmKernel), acc => WideGroups
            ? acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>(GemmKernel<Tile16>)
            : acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>(GemmKernel<Tile4>));
        int t = WideGroups ? 16 : 4, block = 4 * t;
        var grid = new Index3D((n + block - 1) / block, (m + block - 1) / block, batch);
        launch(LaunchStream, new KernelConfig(grid, new Index3D(t, t, 1)), View(a), View(b), View(c), args);
    }

    private ArrayView<float> From(DeviceBuffer buffer, int offset)
    {
        var view = View(buffer);
        return view.SubView(offset, view.Length - offset);
    }

    /// <summary>
    /// Tiled, register-blocked GEMM (OpenCL, ILGPU's CPU accelerator, and CUDA without cuBLAS). A group of E × E threads computes a 4E × 4E block of C: per step of E along k it
    /// stages a 4E × E slice of op(A) and an E × 4E slice of op(B) in shared memory (each global element read once per
    /// block, not once per product), then each thread accumulates its 4 × 4 elements (rows ty + E·i, columns tx + E·j:
    /// neighbouring threads touch neighbouring columns, so loads and stores coalesce) in 16 named registers — ILGPU
    /// does not unroll loops, and an indexed local array would spill to local memory. Out-of-range elements load as 0,
    /// which adds nothing; each element sums over k in order. β = 0 never reads C (garbage there must not leak as NaN).
    /// </summary>
    internal static void GemmKernel<TT>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmArgs g) where TT : struct, ITile
    {
        int e = default(TT).Edge, bw = 4 * e;
        var sa = SharedMemory.Allocate<float>(default(TT).Slice);
        var sb = SharedMemory.Allocate<float>(default(TT).Slice);
        int tx = Group.IdxX, ty = Group.IdxY;
        int row0 = Grid.IdxY * bw, col0 = Grid.IdxX * bw;
        long z = Grid.IdxZ;
        long ab = g.AOff + z * g.AStride, bb = g.BOff + z * g.BStride;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int k0 = 0; k0 < g.K; k0 += e)
        {
            int ka = k0 + tx, kb = k0 + ty;
            for (int q = 0; q < 4; q++)
            {
                int r = row0 + ty + e * q, col = col0 + tx + e * q;
                sa[(ty + e * q) * e + tx] = r < g.M && ka < g.K ? a[ab + r * g.ARow + ka * g.ACol] : 0f;
                sb[ty * bw + tx + e * q] = kb < g.K && col < g.N ? b[bb + kb * g.BRow + col * g.BCol] : 0f;
            }
            Group.Barrier();
            for (int p = 0; p < e; p++)
            {
                float a0 = sa[ty * e + p], a1 = sa[(ty + e) * e + p], a2 = sa[(ty + 2 * e) * e + p], a3 = sa[(ty + 3 * e) * e + p];
                float b0 = sb[p * bw + tx], b1 = sb[p * bw + tx + e], b2 = sb[p * bw + tx + 2 * e], b3 = sb[p * bw + tx + 3 * e];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }
        int r0 = row0 + ty, cc = col0 + tx;
        StoreRow(c, g, z, r0, cc, e, c00, c01, c02, c03);
        StoreRow(c, g, z, r0 + e, cc, e, c10, c11, c12, c13);
        StoreRow(c, g, z, r0 + 2 * e, cc, e, c20, c21, c22, c23);
        StoreRow(c, g, z, r0 + 3 * e, cc, e, c30, c31, c32, c33);
    }

    /// <summary>Writes one thread's four sums of a row of C (columns col, col + e, col + 2e, col + 3e).</summary>
    private static void StoreRow(ArrayView<float> c, GemmArgs g, long z, int row, int col, int e, float s0, float s1, float s2, float s3)
    {
        if (row >= g.M) return;
        long ci = g.COff + z * g.CStride + row * g.Ldc;
        Store(c, g, ci, col, s0);
        Store(c, g, ci, col + e, s1);
        Store(c, g, ci, col + 2 * e, s2);
        Store(c, g, ci, col + 3 * e, s3);
    }

    private static void Store(ArrayView<float> c, GemmArgs g, long rowStart, int col, float sum)
    {
        if (col >= g.N) return;
        float v = g.Alpha == 0f ? 0f : g.Alpha * sum;
        c[rowStart + col] = g.Beta == 0f ? v : v + g.Beta * c[rowStart + col];
    }

    /// <inheritdoc/>
    public void GemmBiasActivation(bool transA, bool transB, int m, int n, int k,
        DeviceBuffer a, int aOffset, int lda, DeviceBuffer b, int bOffset, int ldb,
        DeviceBuffer? bias, int biasOffset, UnaryOp activation, float alpha, DeviceBuffer c, int cOffset)
    {
        Gemm(transA, transB, m, n, k, 1f, a, aOffset, lda, 0, b, bOffset, ldb, 0, 0f, c, cOffset, n, 0, 1);
        if (m == 0 || n == 0 || (bias is null && activation == UnaryOp.Identity)) return;
        // The epilogue: bias and activation in one pass over C instead of two.
        var launch = _biasActivation[Slot(activation)] ??= Load($"{nameof(BiasActivationKernel)}<{activation}>",
            acc => UnaryFunctions.Dispatch(activation, new EpilogueLoader(acc)));
        launch(LaunchStream, checked(m * n), View(c), cOffset, bias is null ? View(c) : View(bias), biasOffset, n, bias is null ? 0 : 1, alpha);
    }

    internal static void BiasActivationKernel<TF>(Index1D i, ArrayView<float> c, int cOffset, ArrayView<float> bias, int biasOffset,
        int n, int hasBias, float alpha) where TF : struct, IUnaryFunction
    {
        float v = c[cOffset + i];
        if (hasBias != 0) v += bias[biasOffset + i % n];
        c[cOffset + i] = default(TF).Forward(v, alpha);
    }

    private readonly struct EpilogueLoader(Accelerator a)
        : IUnaryVisitor<Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, int, int, float>>
    {
        public Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, int, int, float> Visit<TF>()
            where TF : struct, IUnaryFunction =>
            a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int, int, int, float>(BiasActivationKernel<TF>);
    }
}
