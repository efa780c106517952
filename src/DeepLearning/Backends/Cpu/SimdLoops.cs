using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

/// <summary>An element-wise function of one input and a scalar parameter, with scalar and SIMD bodies.</summary>
internal interface IUnaryOperator
{
    static abstract float Invoke(float x, float alpha);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> alpha);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> alpha);
}

/// <summary>An element-wise function of two inputs (<c>f(a, b)</c>), with scalar and SIMD bodies.</summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float a, float b);
    static abstract Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
    static abstract Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);
}

/// <summary>A backward rule <c>dx = g(x, y, dy, α)</c> of a unary map, with scalar and SIMD bodies.</summary>
internal interface IBackwardOperator
{
    static abstract float Invoke(float x, float y, float dy, float alpha);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> alpha);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> alpha);
}

/// <summary>
/// The shared loops that drive operator structs: the widest vector the CPU accelerates (chosen at run time, the JIT
/// removes the untaken branch), then a scalar tail.
/// </summary>
internal static class SimdLoops
{
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y, float alpha) where TOp : IUnaryOperator
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("Map: destination is too short");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(alpha);
            for (; i <= n - 16; i += 16)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), va).StoreUnsafe(ref yr, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(alpha);
            for (; i <= n - 8; i += 8)
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), va).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), alpha);
    }

    /// <summary><c>y[i] = f(a[i], b[i])</c>; a scalar operand is given as a span of one element with <paramref name="aScalar"/> or <paramref name="bScalar"/> set.</summary>
    public static void Zip<TOp>(ReadOnlySpan<float> a, bool aScalar, ReadOnlySpan<float> b, bool bScalar, Span<float> y) where TOp : IBinaryOperator
    {
        int n = y.Length;
        if (n == 0) return;
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint sa = aScalar ? 0u : 1u, sb = bScalar ? 0u : 1u;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var a0 = Vector512.Create(a[0]);
            var b0 = Vector512.Create(b[0]);
            for (; i <= n - 16; i += 16)
            {
                var va = aScalar ? a0 : Vector512.LoadUnsafe(ref ar, (nuint)i);
                var vb = bScalar ? b0 : Vector512.LoadUnsafe(ref br, (nuint)i);
                TOp.Invoke(va, vb).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var a0 = Vector256.Create(a[0]);
            var b0 = Vector256.Create(b[0]);
            for (; i <= n - 8; i += 8)
            {
                var va = aScalar ? a0 : Vector256.LoadUnsafe(ref ar, (nuint)i);
                var vb = bScalar ? b0 : Vector256.LoadUnsafe(ref br, (nuint)i);
                TOp.Invoke(va, vb).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref ar, (nuint)i * sa), Unsafe.Add(ref br, (nuint)i * sb));
    }

    public static void Backward<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float alpha) where TOp : IBackwardOperator
    {
        int n = dx.Length;
        if (x.Length < n || y.Length < n || dy.Length < n) throw new ArgumentException("Backward: an input is too short");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(alpha);
            for (; i <= n - 16; i += 16)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512.LoadUnsafe(ref gr, (nuint)i), va)
                    .StoreUnsafe(ref dr, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(alpha);
            for (; i <= n - 8; i += 8)
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i), Vector256.LoadUnsafe(ref gr, (nuint)i), va)
                    .StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref dr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), Unsafe.Add(ref gr, i), alpha);
    }
}
