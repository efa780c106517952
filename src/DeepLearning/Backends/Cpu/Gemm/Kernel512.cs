using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu.Gemm;

/// <summary>
/// Register-blocked micro-kernel, <c>C[8×32] = α·Ã·B̃ + β·C</c> over one packed A micro-panel (kc×8, one
/// broadcast per row and k step) and one packed B micro-panel (kc×32, 2 vector loads per k step).
/// 16 accumulators (of the 32 zmm registers) stay in registers for the whole k loop; per k step 8 broadcasts from
/// memory and 2 loads feed 16 FMAs, which keeps both FMA pipes of Zen 5 busy (≈95% of peak from L1, measured;
/// 12×32 and 8×48 tiles measured no faster in the whole GEMM).
/// Unrolled by hand (one line per row): edit all lines alike.
/// </summary>
internal static unsafe class Kernel512
{
    public const int MR = 8;
    public const int NR = 32;

    /// <summary>The 8×32 Vector512 FMA tile; C rows are ldc apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, long ldc, float alpha, float beta)
    {
        var c0_0 = Vector512<float>.Zero; var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero; var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero; var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero; var c3_1 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero; var c4_1 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero; var c5_1 = Vector512<float>.Zero;
        var c6_0 = Vector512<float>.Zero; var c6_1 = Vector512<float>.Zero;
        var c7_0 = Vector512<float>.Zero; var c7_1 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++, pa += 8, pb += 32)
        {
            var b0 = Vector512.Load(pb + 0);
            var b1 = Vector512.Load(pb + 16);
            var a0 = Vector512.Create(pa[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(pa[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(pa[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(pa[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(pa[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(pa[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(pa[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(pa[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
        }
        var va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            // β = 0: C is written, never read (it may hold garbage or NaN).
            Vector512.Store(c0_0 * va, c + 0 * ldc + 0); Vector512.Store(c0_1 * va, c + 0 * ldc + 16);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0); Vector512.Store(c1_1 * va, c + 1 * ldc + 16);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0); Vector512.Store(c2_1 * va, c + 2 * ldc + 16);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0); Vector512.Store(c3_1 * va, c + 3 * ldc + 16);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0); Vector512.Store(c4_1 * va, c + 4 * ldc + 16);
            Vector512.Store(c5_0 * va, c + 5 * ldc + 0); Vector512.Store(c5_1 * va, c + 5 * ldc + 16);
            Vector512.Store(c6_0 * va, c + 6 * ldc + 0); Vector512.Store(c6_1 * va, c + 6 * ldc + 16);
            Vector512.Store(c7_0 * va, c + 7 * ldc + 0); Vector512.Store(c7_1 * va, c + 7 * ldc + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, va, vb); Update(c + 0 * ldc + 16, c0_1, va, vb);
            Update(c + 1 * ldc + 0, c1_0, va, vb); Update(c + 1 * ldc + 16, c1_1, va, vb);
            Update(c + 2 * ldc + 0, c2_0, va, vb); Update(c + 2 * ldc + 16, c2_1, va, vb);
            Update(c + 3 * ldc + 0, c3_0, va, vb); Update(c + 3 * ldc + 16, c3_1, va, vb);
            Update(c + 4 * ldc + 0, c4_0, va, vb); Update(c + 4 * ldc + 16, c4_1, va, vb);
            Update(c + 5 * ldc + 0, c5_0, va, vb); Update(c + 5 * ldc + 16, c5_1, va, vb);
            Update(c + 6 * ldc + 0, c6_0, va, vb); Update(c + 6 * ldc + 16, c6_1, va, vb);
            Update(c + 7 * ldc + 0, c7_0, va, vb); Update(c + 7 * ldc + 16, c7_1, va, vb);
        }
    }

    /// <summary>The left 8×16 half of the tile, for a B micro-panel with at most 16 valid columns (the last one of an n that is not a multiple of 32): half the FMAs of <see cref="Run"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunHalf(int kc, float* pa, float* pb, float* c, long ldc, float alpha, float beta)
    {
        var c0_0 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero;
        var c6_0 = Vector512<float>.Zero;
        var c7_0 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++, pa += 8, pb += 32)
        {
            var b0 = Vector512.Load(pb + 0);
            var a0 = Vector512.Create(pa[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            var a1 = Vector512.Create(pa[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            var a2 = Vector512.Create(pa[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            var a3 = Vector512.Create(pa[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            var a4 = Vector512.Create(pa[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            var a5 = Vector512.Create(pa[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            var a6 = Vector512.Create(pa[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            var a7 = Vector512.Create(pa[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
        }
        var va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            // β = 0: C is written, never read (it may hold garbage or NaN).
            Vector512.Store(c0_0 * va, c + 0 * ldc + 0);
            Vector512.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector512.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector512.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector512.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector512.Store(c5_0 * va, c + 5 * ldc + 0);
            Vector512.Store(c6_0 * va, c + 6 * ldc + 0);
            Vector512.Store(c7_0 * va, c + 7 * ldc + 0);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, va, vb);
            Update(c + 1 * ldc + 0, c1_0, va, vb);
            Update(c + 2 * ldc + 0, c2_0, va, vb);
            Update(c + 3 * ldc + 0, c3_0, va, vb);
            Update(c + 4 * ldc + 0, c4_0, va, vb);
            Update(c + 5 * ldc + 0, c5_0, va, vb);
            Update(c + 6 * ldc + 0, c6_0, va, vb);
            Update(c + 7 * ldc + 0, c7_0, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector512<float> acc, Vector512<float> va, Vector512<float> vb) =>
        Vector512.Store(Vector512.FusedMultiplyAdd(acc, va, Vector512.Load(c) * vb), c);
}
