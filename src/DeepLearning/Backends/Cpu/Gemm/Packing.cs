using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepLearning.Backends.Cpu.Gemm;

/// <summary>
/// Copies a block of op(A) or op(B) into micro-panels the kernel reads front to back: panel q holds rows
/// q·W … q·W+W-1 of the block as <c>dst[p·W + r]</c> (one W-wide column slice per k step), zero-padded past the
/// block's edge so the kernel never needs a scalar edge path. Packing absorbs the transpose flags.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Packs rows r0…r0+rows-1 and k steps p0…p0+kc-1 of a matrix whose element (r, p) is at
    /// <c>src[r·strideR + p·strideP]</c>; one of the strides is 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(float* src, long strideR, long strideP, int rows, int kc, int w, float* dst)
    {
        for (int r0 = 0; r0 < rows; r0 += w)
        {
            int valid = Math.Min(w, rows - r0);
            float* s = src + r0 * strideR;
            float* d = dst + (long)r0 * kc;
            if (strideR == 1) PackContiguous(s, strideP, valid, kc, w, d);
            else PackTransposed(s, strideR, valid, kc, w, d);
        }
    }

    /// <summary>Each k step's W values are contiguous in the source: a straight copy per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackContiguous(float* s, long strideP, int valid, int kc, int w, float* d)
    {
        if (valid == w && (w & 3) == 0 && Vector256.IsHardwareAccelerated)
        {
            int w8 = w & ~7;
            for (int p = 0; p < kc; p++, s += strideP, d += w)
            {
                for (int r = 0; r < w8; r += 8)
                    Vector256.Store(Vector256.Load(s + r), d + r);
                if (w8 != w) Vector128.Store(Vector128.Load(s + w8), d + w8);
            }
            return;
        }
        for (int p = 0; p < kc; p++, s += strideP, d += w)
        {
            int r = 0;
            for (; r < valid; r++) d[r] = s[r];
            for (; r < w; r++) d[r] = 0f;
        }
    }

    /// <summary>Each row is contiguous along k: 8×8 register transposes, then scalar for the ragged rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed(float* s, long strideR, int valid, int kc, int w, float* d)
    {
        int rFull = Avx.IsSupported ? valid & ~7 : 0;
        int pFull = kc & ~7;
        for (int r = 0; r < rFull; r += 8)
            for (int p = 0; p < pFull; p += 8)
                Transpose8x8(s + r * strideR + p, strideR, d + (long)p * w + r, w);
        if (Avx.IsSupported && valid - rFull >= 4)
        {
            for (int p = 0; p < pFull; p += 8)
                Transpose4x8(s + rFull * strideR + p, strideR, d + (long)p * w + rFull, w);
            rFull += 4;
        }
        for (int p = 0; p < kc; p++)
        {
            float* dp = d + (long)p * w;
            // Rows already written by the 8×8 blocks (only for the k steps those blocks covered).
            int r = p < pFull ? rFull : 0;
            for (; r < valid; r++) dp[r] = s[r * strideR + p];
            for (; r < w; r++) dp[r] = 0f;
        }
    }

    /// <summary>4 rows × 8 k steps: each k step's 4 values become one 128-bit store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x8(float* s, long ld, float* d, int ldd)
    {
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + ld);
        var r2 = Avx.LoadVector256(s + 2 * ld);
        var r3 = Avx.LoadVector256(s + 3 * ld);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        u0.GetLower().Store(d);
        u1.GetLower().Store(d + ldd);
        u2.GetLower().Store(d + 2 * ldd);
        u3.GetLower().Store(d + 3 * ldd);
        u0.GetUpper().Store(d + 4 * ldd);
        u1.GetUpper().Store(d + 5 * ldd);
        u2.GetUpper().Store(d + 6 * ldd);
        u3.GetUpper().Store(d + 7 * ldd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, long ld, float* d, int ldd)
    {
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + ld);
        var r2 = Avx.LoadVector256(s + 2 * ld);
        var r3 = Avx.LoadVector256(s + 3 * ld);
        var r4 = Avx.LoadVector256(s + 4 * ld);
        var r5 = Avx.LoadVector256(s + 5 * ld);
        var r6 = Avx.LoadVector256(s + 6 * ld);
        var r7 = Avx.LoadVector256(s + 7 * ld);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }
}
