using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

// expm1, log1p and a sigmoid that keep relative accuracy where the obvious forms do not: Exp(x) − 1 and Log(1 + t)
// lose every digit as x, t → 0 (ELU, tanh near 0; softplus in its negative tail), and 1 / (1 + e⁻ˣ) overflows its
// exponential in the negative tail, where x·σ(x) is still a normal float.
internal static class SimdMath
{
    // Cody–Waite split of ln 2: Ln2Hi has its low 9 bits zero, so k·Ln2Hi is exact for the |k| ≤ 126 used here.
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Lo = 1.42860676533018704e-6f;
    private const float InvLn2 = 1.44269504088896341f;
    // 1.5·2²³: adding it rounds x/ln2 to the integer k held in the low mantissa bits (no round or convert instruction),
    // so (bits + 127) << 23 is 2ᵏ: the high bits shift out.
    private const float Magic = 12582912f;
    // Below this eˣ − 1 = −1 in float; 2^k stays a normal float down to it.
    private const float Floor = -87.3f;

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

    /// <summary>
    /// eˣ − 1 for x ≤ 0 (ELU's and tanh's argument) to ~1.5ε relative: x = k·ln 2 + r, |r| ≤ ln2/2, then
    /// 2ᵏ·expm1(r) + (2ᵏ − 1) with expm1(r) a degree-7 series (truncation &lt; 0.2ε). No exp call, no exp − 1
    /// cancellation: float throughout, cheaper than the library's exp, which widens to double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Expm1(Vector512<float> x)
    {
        var em1 = ScaledExpm1(Vector512.Max(x, Vector512.Create(Floor)), out var scale);
        return Vector512.MultiplyAddEstimate(scale, em1, scale - Vector512<float>.One);
    }

    /// <summary>expm1(r) and 2ᵏ for x = k·ln 2 + r, |r| ≤ ln2/2 (x at or above <see cref="Floor"/>): eˣ = 2ᵏ·(1 + expm1(r)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ScaledExpm1(Vector512<float> x, out Vector512<float> scale)
    {
        var kMagic = Vector512.MultiplyAddEstimate(x, Vector512.Create(InvLn2), Vector512.Create(Magic));
        var k = kMagic - Vector512.Create(Magic);
        var r = Vector512.MultiplyAddEstimate(-k, Vector512.Create(Ln2Hi), x);
        r = Vector512.MultiplyAddEstimate(-k, Vector512.Create(Ln2Lo), r);
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(1f / 5040), r, Vector512.Create(1f / 720));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(1f / 120));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(1f / 24));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(1f / 6));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(0.5f));
        scale = Vector512.ShiftLeft(kMagic.AsInt32() + Vector512.Create(127), 23).AsSingle();
        return Vector512.MultiplyAddEstimate(r * r, p, r);
    }

    /// <summary>
    /// eˣ for x ≤ 0 (softmax's shifted scores) to ~2ε relative, as <see cref="Expm1(Vector512{float})"/>'s 2ᵏ·(1 +
    /// expm1(r)), float throughout. Below −87.3 (where 2ᵏ leaves the normal range) it is 0, so −∞ gives 0; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        var floor = Vector512.Create(Floor);
        var em1 = ScaledExpm1(Vector512.Max(x, floor), out var scale);
        var e = Vector512.MultiplyAddEstimate(scale, em1, scale);
        e = Vector512.ConditionalSelect(Vector512.LessThan(x, floor), Vector512<float>.Zero, e);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), e, x);
    }

    /// <inheritdoc cref="Expm1(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Expm1(Vector256<float> x)
    {
        x = Vector256.Max(x, Vector256.Create(Floor));
        var kMagic = Vector256.MultiplyAddEstimate(x, Vector256.Create(InvLn2), Vector256.Create(Magic));
        var k = kMagic - Vector256.Create(Magic);
        var r = Vector256.MultiplyAddEstimate(-k, Vector256.Create(Ln2Hi), x);
        r = Vector256.MultiplyAddEstimate(-k, Vector256.Create(Ln2Lo), r);
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(1f / 5040), r, Vector256.Create(1f / 720));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 120));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 24));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1f / 6));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(0.5f));
        var em1 = Vector256.MultiplyAddEstimate(r * r, p, r);
        var scale = Vector256.ShiftLeft(kMagic.AsInt32() + Vector256.Create(127), 23).AsSingle();
        return Vector256.MultiplyAddEstimate(scale, em1, scale - Vector256<float>.One);
    }

    /// <summary>
    /// ln(1 + t) for 0 ≤ t ≤ 1 (what softplus passes) by Goldberg's trick: with u = 1 + t rounded, ln(u)·t/(u − 1) corrects the rounding of
    /// u to first order (u − 1 is exact), so the result is as accurate as ln near 1; where u rounds to 1, ln(1 + t) = t.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log1p(Vector512<float> t)
    {
        var u = Vector512<float>.One + t;
        var d = u - Vector512<float>.One;
        return Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<float>.Zero), t, Vector512.Log(u) * (t / d));
    }

    /// <inheritdoc cref="Log1p(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log1p(Vector256<float> t)
    {
        var u = Vector256<float>.One + t;
        var d = u - Vector256<float>.One;
        return Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), t, Vector256.Log(u) * (t / d));
    }

    /// <summary>σ(z) from e = e^−|z| ≤ 1: 1/(1 + e) for z ≥ 0, e/(1 + e) below, so no exponential overflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> z)
    {
        var e = Vector512.Exp(-Vector512.Abs(z));
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(z, Vector512<float>.Zero), Vector512<float>.One, e) / (Vector512<float>.One + e);
    }

    /// <inheritdoc cref="Sigmoid(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
