using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu.Gemm;

/// <summary>
/// The cache-blocked GEMM loop nest (Goto / BLIS order) for one thread's share of C:
/// jc over NC columns → pc over KC k steps (pack a KC×NC panel of B, L3) → ic over MC rows (pack an MC×KC block of A,
/// L2) → jr over NR (one B micro-panel, L1/L2) → ir over MR (one A micro-panel) → micro-kernel. The packing buffers
/// come from <see cref="PackBuffers"/> (reused), so a call allocates nothing in steady state. The
/// blocking never changes the order in which one element of C is summed, so any split of C over threads gives
/// bitwise the same result.
/// </summary>
internal static unsafe class PackedGemm
{
    /// <summary>Whether a SIMD micro-kernel exists for this CPU; otherwise the caller uses the simple path.</summary>
    public static readonly bool IsSupported =
        Vector512.IsHardwareAccelerated || (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported);

    /// <summary>Whether the Vector512 kernel is the default (AVX-512 present); tests can still pick the Vector256 one.</summary>
    public static readonly bool WideByDefault = Vector512.IsHardwareAccelerated;

    /// <summary>Micro-tile rows (A micro-panel width) of the Vector512 or Vector256 kernel.</summary>
    public static int MR(bool wide) => wide ? Kernel512.MR : Kernel256.MR;

    /// <summary>Micro-tile columns (B micro-panel width) of the Vector512 or Vector256 kernel.</summary>
    public static int NR(bool wide) => wide ? Kernel512.NR : Kernel256.NR;

    // MC·KC·4 bytes of packed A sit in L2 (1 MB on Zen 5) and are swept once per B micro-panel; KC·NR·4 bytes of
    // B micro-panel are reused by every A micro-panel; KC·NC·4 bytes of packed B sit in the shared L3.
    // Measured on Zen 5 (tuning runs against OpenBLAS, paired in one process): KC = 512 halves the C traffic of
    // KC = 256 and wins at 2048 although the 64 KB B micro-panel then lives in L2 rather than L1.
    // Settable only for block-size experiments (benchmarks' GEMM_KC/MC/NC); nothing else writes them.
    internal static int KC = 512;
    internal static int MC = 96;
    internal static int NC = 2048;

    /// <summary>
    /// <c>C = α·op(A)·op(B) + β·C</c> for an m×n block of C; element (i, p) of op(A) is at
    /// <c>a[i·aRow + p·aCol]</c>, element (p, j) of op(B) at <c>b[p·bRow + j·bCol]</c> (one stride of each is 1);
    /// <paramref name="wide"/> picks the Vector512 kernel (only where AVX-512 is present) or the Vector256 one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool wide, int m, int n, int k, float alpha, float* a, long aRow, long aCol,
        float* b, long bRow, long bCol, float beta, float* c, long ldc, in Epilogue epilogue = default)
    {
        // Equal k blocks (784 → 392 + 392, not 512 + 272): no short block with a poor C-update-to-FMA ratio.
        int kBlocks = (k + KC - 1) / KC;
        int kStep = (k + kBlocks - 1) / kBlocks;
        int kcMax = kStep;
        int mr = MR(wide), nr = NR(wide);
        int mcMax = RoundUp(Math.Min(MC, m), mr);
        int ncMax = RoundUp(Math.Min(NC, n), nr);
        var buffers = PackBuffers.Rent();
        float* packA = buffers.A(mcMax * kcMax);
        float* packB = buffers.B(ncMax * kcMax);
        float* tile = stackalloc float[Math.Max(Kernel512.MR * Kernel512.NR, Kernel256.MR * Kernel256.NR)];
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kStep)
            {
                int kc = Math.Min(kStep, k - pc);
                // Packed B panel: rows are the n index j, k steps p; (j, p) lives at b[p·bRow + j·bCol].
                Packing.Pack(b + pc * bRow + jc * bCol, bCol, bRow, nc, kc, nr, packB);
                float betaNow = pc == 0 ? beta : 1f;
                bool last = pc + kc >= k;
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    Packing.Pack(a + ic * aRow + pc * aCol, aRow, aCol, mc, kc, mr, packA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nv = Math.Min(nr, nc - jr);
                        float* pb = packB + (long)jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mv = Math.Min(mr, mc - ir);
                            float* pa = packA + (long)ir * kc;
                            float* cij = c + (ic + ir) * ldc + jc + jr;
                            if (mv == mr && nv == nr) Kernel(wide, kc, pa, pb, cij, ldc, alpha, betaNow);
                            else Edge(wide, kc, pa, pb, cij, ldc, alpha, betaNow, mv, nv, tile);
                            if (last) epilogue.Apply(cij, ldc, mv, nv, jc + jr);
                        }
                    }
                }
            }
        }
        PackBuffers.Return(buffers);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(bool wide, int kc, float* pa, float* pb, float* c, long ldc, float alpha, float beta)
    {
        if (wide) Kernel512.Run(kc, pa, pb, c, ldc, alpha, beta);
        else Kernel256.Run(kc, pa, pb, c, ldc, alpha, beta);
    }

    /// <summary>
    /// A partial tile at the border of C: the tile (its left half when that covers the valid columns) goes to a
    /// scratch tile, its valid part into C.
    /// </summary>
    private static void Edge(bool wide, int kc, float* pa, float* pb, float* c, long ldc, float alpha, float beta,
        int mv, int nv, float* tile)
    {
        int nr = NR(wide);
        if (nv <= nr / 2)
        {
            if (wide) Kernel512.RunHalf(kc, pa, pb, tile, nr, alpha, 0f);
            else Kernel256.RunHalf(kc, pa, pb, tile, nr, alpha, 0f);
        }
        else Kernel(wide, kc, pa, pb, tile, nr, alpha, 0f);
        for (int i = 0; i < mv; i++)
        {
            float* ci = c + i * ldc;
            float* ti = tile + i * nr;
            if (beta == 0f) for (int j = 0; j < nv; j++) ci[j] = ti[j];
            else for (int j = 0; j < nv; j++) ci[j] = ti[j] + beta * ci[j];
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
