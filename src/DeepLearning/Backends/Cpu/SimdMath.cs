using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

// expm1, log1p and a sigmoid that keep relative accuracy where the obvious forms do not: Exp(x) − 1 and Log(1 + t)
// lose every digit as x, t → 0 (ELU, tanh near 0; softplus in its negative tail), and 1 / (1 + e⁻ˣ) overflows its
// exponential in the negative tail, where x·σ(x) is still a normal float.
internal static class SimdMath
{
    // Below this |x| expm1 is its Taylor series to x⁸/8! (truncation < 0.2ε relative at 0.5); at and above it eˣ − 1
    // cancels at most 1.3 bits (1 − e^−0.5 = 0.39), so the library exp's error costs ≤ 2ε of the result.
    private const float SeriesLimit = 0.5f;

    /// <summary>eˣ − 1 to double accuracy, rounded once: the series below 1e-5, where exp(x) − 1 would cancel.</summary>
    public static float Expm1(float x)
    {
        double d = x;
        return (float)(Math.Abs(d) < 1e-5 ? d + d * d / 2 + d * d * d / 6 : Math.Exp(d) - 1);
    }

    /// <summary>ln(1 + t) to double accuracy, rounded once; the series below 1e-5, where 1 + t would drop t's low bits.</summary>
    public static float Log1p(float t)
    {
        double d = t;
        return (float)(Math.Abs(d) < 1e-5 ? d - d * d / 2 + d * d * d / 3 : Math.Log(1 + d));
    }

    public static Vector512<float> Expm1(Vector512<float> x)
    {
        var p = Vector512.Create(1f / 40320) * x + Vector512.Create(1f / 5040);
        p = p * x + Vector512.Create(1f / 720);
        p = p * x + Vector512.Create(1f / 120);
        p = p * x + Vector512.Create(1f / 24);
        p = p * x + Vector512.Create(1f / 6);
        p = p * x + Vector512.Create(0.5f);
        var series = x + x * x * p;
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(SeriesLimit)), series, Vector512.Exp(x) - Vector512<float>.One);
    }

    public static Vector256<float> Expm1(Vector256<float> x)
    {
        var p = Vector256.Create(1f / 40320) * x + Vector256.Create(1f / 5040);
        p = p * x + Vector256.Create(1f / 720);
        p = p * x + Vector256.Create(1f / 120);
        p = p * x + Vector256.Create(1f / 24);
        p = p * x + Vector256.Create(1f / 6);
        p = p * x + Vector256.Create(0.5f);
        var series = x + x * x * p;
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(SeriesLimit)), series, Vector256.Exp(x) - Vector256<float>.One);
    }

    /// <summary>
    /// ln(1 + t) for 0 ≤ t ≤ 1 (what softplus passes) by Goldberg's trick: with u = 1 + t rounded, ln(u)·t/(u − 1) corrects the rounding of
    /// u to first order (u − 1 is exact), so the result is as accurate as ln near 1; where u rounds to 1, ln(1 + t) = t.
    /// </summary>
    public static Vector512<float> Log1p(Vector512<float> t)
    {
        var u = Vector512<float>.One + t;
        var d = u - Vector512<float>.One;
        return Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<float>.Zero), t, Vector512.Log(u) * (t / d));
    }

    /// <inheritdoc cref="Log1p(Vector512{float})"/>
    public static Vector256<float> Log1p(Vector256<float> t)
    {
        var u = Vector256<float>.One + t;
        var d = u - Vector256<float>.One;
        return Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), t, Vector256.Log(u) * (t / d));
    }

    /// <summary>σ(z) from e = e^−|z| ≤ 1: 1/(1 + e) for z ≥ 0, e/(1 + e) below, so no exponential overflows.</summary>
    public static Vector512<float> Sigmoid(Vector512<float> z)
    {
        var e = Vector512.Exp(-Vector512.Abs(z));
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(z, Vector512<float>.Zero), Vector512<float>.One, e) / (Vector512<float>.One + e);
    }

    /// <inheritdoc cref="Sigmoid(Vector512{float})"/>
    public static Vector256<float> Sigmoid(Vector256<float> z)
    {
        var e = Vector256.Exp(-Vector256.Abs(z));
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(z, Vector256<float>.Zero), Vector256<float>.One, e) / (Vector256<float>.One + e);
    }

    /// <inheritdoc cref="Sigmoid(Vector512{float})"/>
    public static float Sigmoid(float z)
    {
        float e = MathF.Exp(-MathF.Abs(z));
        return (z >= 0 ? 1f : e) / (1f + e);
    }
}
