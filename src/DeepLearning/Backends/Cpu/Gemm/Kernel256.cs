using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu.Gemm;

/// <summary>
/// Register-blocked micro-kernel, <c>C[6×16] = α·Ã·B̃ + β·C</c> over one packed A micro-panel (kc×6, one
/// broadcast per row and k step) and one packed B micro-panel (kc×16, 2 vector loads per k step).
/// 12 accumulators (of the 16 ymm registers) stay in registers for the whole k loop: the classic Haswell shape.
/// Unrolled by hand (one line per row): edit all lines alike.
/// </summary>
internal static unsafe class Kernel256
{
    public const int MR = 6;
    public const int NR = 16;

    /// <summary>The 6×16 Vector256 FMA tile; C rows are ldc apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, long ldc, float alpha, float beta)
    {
        var c0_0 = Vector256<float>.Zero; var c0_1 = Vector256<float>.Zero;
        var c1_0 = Vector256<float>.Zero; var c1_1 = Vector256<float>.Zero;
        var c2_0 = Vector256<float>.Zero; var c2_1 = Vector256<float>.Zero;
        var c3_0 = Vector256<float>.Zero; var c3_1 = Vector256<float>.Zero;
        var c4_0 = Vector256<float>.Zero; var c4_1 = Vector256<float>.Zero;
        var c5_0 = Vector256<float>.Zero; var c5_1 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++, pa += 6, pb += 16)
        {
            var b0 = Vector256.Load(pb + 0);
            var b1 = Vector256.Load(pb + 8);
            var a0 = Vector256.Create(pa[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0); c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector256.Create(pa[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0); c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector256.Create(pa[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0); c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector256.Create(pa[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0); c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector256.Create(pa[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0); c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector256.Create(pa[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0); c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
        }
        var va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            // β = 0: C is written, never read (it may hold garbage or NaN).
            Vector256.Store(c0_0 * va, c + 0 * ldc + 0); Vector256.Store(c0_1 * va, c + 0 * ldc + 8);
            Vector256.Store(c1_0 * va, c + 1 * ldc + 0); Vector256.Store(c1_1 * va, c + 1 * ldc + 8);
            Vector256.Store(c2_0 * va, c + 2 * ldc + 0); Vector256.Store(c2_1 * va, c + 2 * ldc + 8);
            Vector256.Store(c3_0 * va, c + 3 * ldc + 0); Vector256.Store(c3_1 * va, c + 3 * ldc + 8);
            Vector256.Store(c4_0 * va, c + 4 * ldc + 0); Vector256.Store(c4_1 * va, c + 4 * ldc + 8);
            Vector256.Store(c5_0 * va, c + 5 * ldc + 0); Vector256.Store(c5_1 * va, c + 5 * ldc + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, va, vb); Update(c + 0 * ldc + 8, c0_1, va, vb);
            Update(c + 1 * ldc + 0, c1_0, va, vb); Update(c + 1 * ldc + 8, c1_1, va, vb);
            Update(c + 2 * ldc + 0, c2_0, va, vb); Update(c + 2 * ldc + 8, c2_1, va, vb);
            Update(c + 3 * ldc + 0, c3_0, va, vb); Update(c + 3 * ldc + 8, c3_1, va, vb);
            Update(c + 4 * ldc + 0, c4_0, va, vb); Update(c + 4 * ldc + 8, c4_1, va, vb);
            Update(c + 5 * ldc + 0, c5_0, va, vb); Update(c + 5 * ldc + 8, c5_1, va, vb);
        }
    }

    /// <summary>The left 6×8 half of the tile, for a B micro-panel with at most 8 valid columns (the last one of an n that is not a multiple of 16): half the FMAs of <see cref="Run"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunHalf(int kc, float* pa, float* pb, float* c, long ldc, float alpha, float beta)
    {
        var c0_0 = Vector256<float>.Zero;
        var c1_0 = Vector256<float>.Zero;
        var c2_0 = Vector256<float>.Zero;
        var c3_0 = Vector256<float>.Zero;
        var c4_0 = Vector256<float>.Zero;
        var c5_0 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++, pa += 6, pb += 16)
        {
            var b0 = Vector256.Load(pb + 0);
            var a0 = Vector256.Create(pa[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0);
            var a1 = Vector256.Create(pa[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0);
            var a2 = Vector256.Create(pa[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0);
            var a3 = Vector256.Create(pa[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0);
            var a4 = Vector256.Create(pa[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0);
            var a5 = Vector256.Create(pa[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0);
        }
        var va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            // β = 0: C is written, never read (it may hold garbage or NaN).
            Vector256.Store(c0_0 * va, c + 0 * ldc + 0);
            Vector256.Store(c1_0 * va, c + 1 * ldc + 0);
            Vector256.Store(c2_0 * va, c + 2 * ldc + 0);
            Vector256.Store(c3_0 * va, c + 3 * ldc + 0);
            Vector256.Store(c4_0 * va, c + 4 * ldc + 0);
            Vector256.Store(c5_0 * va, c + 5 * ldc + 0);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Update(c + 0 * ldc + 0, c0_0, va, vb);
            Update(c + 1 * ldc + 0, c1_0, va, vb);
            Update(c + 2 * ldc + 0, c2_0, va, vb);
            Update(c + 3 * ldc + 0, c3_0, va, vb);
            Update(c + 4 * ldc + 0, c4_0, va, vb);
            Update(c + 5 * ldc + 0, c5_0, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> acc, Vector256<float> va, Vector256<float> vb) =>
        Vector256.Store(Vector256.FusedMultiplyAdd(acc, va, Vector256.Load(c) * vb), c);
}
