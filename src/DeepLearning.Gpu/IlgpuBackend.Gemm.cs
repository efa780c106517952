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
        int t = WideGroups ? 16 : 4;
        var grid = new Index3D((n + t - 1) / t, (m + t - 1) / t, batch);
        launch(_stream, new KernelConfig(grid, new Index3D(t, t, 1)), View(a), View(b), View(c), args);
    }

    /// <summary>
    /// Shared-memory tiled GEMM: each group computes one Edge × Edge tile of C, staging Edge-wide slices of op(A) and op(B)
    /// in shared memory so each element is read from global memory once per tile instead of once per product. Out-of-range
    /// elements load as 0, which adds nothing. β = 0 never reads C (garbage there must not leak through as NaN).
    /// </summary>
    internal static void GemmKernel<TT>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmArgs g) where TT : struct, ITile
    {
        int edge = default(TT).Edge;
        var tileA = SharedMemory.Allocate<float>(default(TT).Area);
        var tileB = SharedMemory.Allocate<float>(default(TT).Area);
        int tx = Group.IdxX, ty = Group.IdxY;
        int col = Grid.IdxX * edge + tx, row = Grid.IdxY * edge + ty;
        long z = Grid.IdxZ;
        long ab = g.AOff + z * g.AStride, bb = g.BOff + z * g.BStride;
        float sum = 0f;
        for (int k0 = 0; k0 < g.K; k0 += edge)
        {
            int ka = k0 + tx, kb = k0 + ty;
            tileA[ty * edge + tx] = row < g.M && ka < g.K ? a[ab + row * g.ARow + ka * g.ACol] : 0f;
            tileB[ty * edge + tx] = kb < g.K && col < g.N ? b[bb + kb * g.BRow + col * g.BCol] : 0f;
            Group.Barrier();
            for (int p = 0; p < edge; p++) sum += tileA[ty * edge + p] * tileB[p * edge + tx];
            Group.Barrier();
        }
        if (row < g.M && col < g.N)
        {
            long ci = g.COff + z * g.CStride + row * g.Ldc + col;
            float v = g.Alpha == 0f ? 0f : g.Alpha * sum;
            c[ci] = g.Beta == 0f ? v : v + g.Beta * c[ci];
        }
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
        launch(_stream, checked(m * n), View(c), cOffset, bias is null ? View(c) : View(bias), biasOffset, n, bias is null ? 0 : 1, alpha);
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
