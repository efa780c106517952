using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// Copies of short runs (an output row of a convolution: often under 32 floats) without span set-up: whole vectors,
/// then one AVX-512 masked load/store for the rest (masked-off lanes are neither read nor written, so a run may end
/// at the end of an array), else 8-wide and scalar steps.
/// </summary>
internal static unsafe class Lanes
{
    /// <summary><c>d[0..n) = s[0..n)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* d, float* s, int n)
    {
        int q = 0;
        if (Avx512F.IsSupported)
        {
            for (; q + 16 <= n; q += 16) Vector512.Store(Vector512.Load(s + q), d + q);
            if (q < n)
            {
                var m = Mask(n - q);
                Avx512F.MaskStore(d + q, m, Avx512F.MaskLoad(s + q, m, Vector512<float>.Zero));
            }
            return;
        }
        for (; q + 8 <= n; q += 8) Vector256.Store(Vector256.Load(s + q), d + q);
        for (; q < n; q++) d[q] = s[q];
    }

    /// <summary><c>d[0..n) = 0</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zero(float* d, int n)
    {
        int q = 0;
        if (Avx512F.IsSupported)
        {
            for (; q + 16 <= n; q += 16) Vector512.Store(Vector512<float>.Zero, d + q);
            if (q < n) Avx512F.MaskStore(d + q, Mask(n - q), Vector512<float>.Zero);
            return;
        }
        for (; q + 8 <= n; q += 8) Vector256.Store(Vector256<float>.Zero, d + q);
        for (; q < n; q++) d[q] = 0f;
    }

    /// <summary><c>d[0..n) += s[0..n)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(float* d, float* s, int n)
    {
        int q = 0;
        if (Avx512F.IsSupported)
        {
            for (; q + 16 <= n; q += 16) Vector512.Store(Vector512.Load(d + q) + Vector512.Load(s + q), d + q);
            if (q < n)
            {
                var m = Mask(n - q);
                var sum = Avx512F.MaskLoad(d + q, m, Vector512<float>.Zero) + Avx512F.MaskLoad(s + q, m, Vector512<float>.Zero);
                Avx512F.MaskStore(d + q, m, sum);
            }
            return;
        }
        for (; q + 8 <= n; q += 8) Vector256.Store(Vector256.Load(d + q) + Vector256.Load(s + q), d + q);
        for (; q < n; q++) d[q] += s[q];
    }

    /// <summary><c>d[0..n) = y[0..n) &gt; 0 ? dy[0..n) : 0</c>: ReLU's backward read from its output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ReluGate(float* d, float* dy, float* y, int n)
    {
        int q = 0;
        if (Avx512F.IsSupported)
        {
            for (; q + 16 <= n; q += 16)
                Vector512.Store(Vector512.GreaterThan(Vector512.Load(y + q), Vector512<float>.Zero) & Vector512.Load(dy + q), d + q);
            if (q < n)
            {
                var m = Mask(n - q);
                var v = Vector512.GreaterThan(Avx512F.MaskLoad(y + q, m, Vector512<float>.Zero), Vector512<float>.Zero) & Avx512F.MaskLoad(dy + q, m, Vector512<float>.Zero);
                Avx512F.MaskStore(d + q, m, v);
            }
            return;
        }
        for (; q < n; q++) d[q] = y[q] > 0f ? dy[q] : 0f;
    }

    /// <summary><c>d[0..n) = s[0..n) + b</c>, then <c>max(·, 0)</c> when <paramref name="relu"/> (NaN stays NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BiasRelu(float* d, float* s, int n, float b, bool relu)
    {
        int q = 0;
        if (Avx512F.IsSupported)
        {
            var vb = Vector512.Create(b);
            for (; q + 16 <= n; q += 16) Vector512.Store(Finish(Vector512.Load(s + q) + vb, relu), d + q);
            if (q < n)
            {
                var m = Mask(n - q);
                Avx512F.MaskStore(d + q, m, Finish(Avx512F.MaskLoad(s + q, m, Vector512<float>.Zero) + vb, relu));
            }
            return;
        }
        for (; q < n; q++)
        {
            float v = s[q] + b;
            d[q] = relu && v < 0f ? 0f : v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish(Vector512<float> v, bool relu) =>
        relu ? Vector512.ConditionalSelect(Vector512.LessThan(v, Vector512<float>.Zero), Vector512<float>.Zero, v) : v;

    /// <summary>All bits set in lanes [0, n), clear in the rest (n &lt; 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int n) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle();
}
