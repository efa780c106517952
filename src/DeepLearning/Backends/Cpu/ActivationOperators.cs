using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

// Forward and fused backward bodies of the activations that TensorPrimitives lacks (ELU, GELU, Swish, Softplus,
// hard sigmoid) or computes without relative accuracy (tanh near 0). Each is written so that it cannot overflow for
// large |x|: exponentials only ever see a non-positive argument or feed a division that saturates to the right limit.
// Near 0 and in the tails they keep a few ε of relative accuracy: eˣ − 1 and ln(1 + t) go through SimdMath's expm1
// and log1p, and σ through its overflow-free form (tests/…/ActivationOperatorsTests sweeps 1e-8 … 1e4).

/// <summary>
/// tanh as <c>sign(x)·(−t)/(t + 2)</c>, <c>t = expm1(−2|x|)</c>: TensorPrimitives.Tanh takes expm1 as exp − 1 in its
/// vector bodies and so has no relative accuracy near 0 (4.6e-3 relative error at 1e-5, −0 at 1e-8).
/// </summary>
internal readonly struct TanhOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => MathF.Tanh(x);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a)
    {
        var t = SimdMath.Expm1(Vector512.Create(-2f) * Vector512.Abs(x));
        return Vector512.CopySign(-t / (t + Vector512.Create(2f)), x);
    }
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a)
    {
        var t = SimdMath.Expm1(Vector256.Create(-2f) * Vector256.Abs(x));
        return Vector256.CopySign(-t / (t + Vector256.Create(2f)), x);
    }
}

/// <summary>ELU: <c>x</c> for x &gt; 0, else <c>α·expm1(x)</c>; the argument is clamped at 0 so the unused branch cannot overflow.</summary>
internal readonly struct EluOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => x > 0 ? x : a * SimdMath.Expm1(x);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, a * SimdMath.Expm1(Vector512.Min(x, Vector512<float>.Zero)));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, a * SimdMath.Expm1(Vector256.Min(x, Vector256<float>.Zero)));
}

/// <summary><c>dx = dy</c> for x &gt; 0, else <c>dy·(y + α)</c> (= dy·α·eˣ): ELU.</summary>
internal readonly struct EluBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => x > 0 ? dy : dy * (y + a);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, dy * (y + a));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, dy * (y + a));
}

/// <summary>
/// GELU in its tanh form (Flux's <c>gelu</c>, PyTorch's <c>approximate="tanh"</c>). Since ½(1 + tanh u) = σ(2u), it is
/// computed as <c>x·σ(2u)</c>, <c>u = √(2/π)(x + 0.044715x³)</c>: one exponential, no tanh. In the negative tail the
/// relative error grows as |2u|·ε (the rounding of u lands in the exponent), which no float evaluation of u avoids.
/// </summary>
internal readonly struct GeluOp : IUnaryOperator
{
    internal const float TwoC = 1.5957691216057308f; // 2·√(2/π)
    internal const float K = 0.044715f;

    public static float Invoke(float x, float a) => x * SimdMath.Sigmoid(TwoC * (x + K * x * x * x));
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) =>
        x * SimdMath.Sigmoid(Vector512.Create(TwoC) * (x + Vector512.Create(K) * x * x * x));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) =>
        x * SimdMath.Sigmoid(Vector256.Create(TwoC) * (x + Vector256.Create(K) * x * x * x));
}

/// <summary>
/// GELU (tanh form) backward: with <c>s = σ(2u)</c>, <c>dx = dy·(s + x·s(1 − s)·2√(2/π)(1 + 3·0.044715x²))</c>. x is
/// clamped to ±20 in the polynomial, where s(1 − s) is already 0 in float, so huge x gives 0·finite, not 0·∞.
/// </summary>
internal readonly struct GeluBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a)
    {
        float s = 1f / (1f + MathF.Exp(-GeluOp.TwoC * (x + GeluOp.K * x * x * x)));
        float xc = Math.Clamp(x, -20f, 20f);
        return dy * (s + xc * s * (1f - s) * GeluOp.TwoC * (1f + 3f * GeluOp.K * xc * xc));
    }

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a)
    {
        var one = Vector512<float>.One;
        var s = one / (one + Vector512.Exp(Vector512.Create(-GeluOp.TwoC) * (x + Vector512.Create(GeluOp.K) * x * x * x)));
        var xc = Vector512.Min(Vector512.Max(x, Vector512.Create(-20f)), Vector512.Create(20f));
        return dy * (s + xc * s * (one - s) * Vector512.Create(GeluOp.TwoC) * (one + Vector512.Create(3f * GeluOp.K) * xc * xc));
    }

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a)
    {
        var one = Vector256<float>.One;
        var s = one / (one + Vector256.Exp(Vector256.Create(-GeluOp.TwoC) * (x + Vector256.Create(GeluOp.K) * x * x * x)));
        var xc = Vector256.Min(Vector256.Max(x, Vector256.Create(-20f)), Vector256.Create(20f));
        return dy * (s + xc * s * (one - s) * Vector256.Create(GeluOp.TwoC) * (one + Vector256.Create(3f * GeluOp.K) * xc * xc));
    }
}

/// <summary>Swish / SiLU: <c>x·σ(x)</c>, σ in its overflow-free form (x / (1 + e⁻ˣ) gives −0 below x = −88.7, where x·σ(x) is still a normal float).</summary>
internal readonly struct SwishOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => x * SimdMath.Sigmoid(x);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) => x * SimdMath.Sigmoid(x);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) => x * SimdMath.Sigmoid(x);
}

/// <summary>Swish backward: <c>dx = dy·s·(1 + x(1 − s))</c>, <c>s = σ(x)</c>.</summary>
internal readonly struct SwishBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a)
    {
        float s = 1f / (1f + MathF.Exp(-x));
        return dy * s * (1f + x * (1f - s));
    }

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a)
    {
        var one = Vector512<float>.One;
        var s = one / (one + Vector512.Exp(-x));
        return dy * s * (one + x * (one - s));
    }

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a)
    {
        var one = Vector256<float>.One;
        var s = one / (one + Vector256.Exp(-x));
        return dy * s * (one + x * (one - s));
    }
}

/// <summary>
/// Softplus <c>ln(1 + eˣ)</c> as <c>max(x, 0) + log1p(e^−|x|)</c>: the exponential never exceeds 1, so it is exact
/// to rounding for large positive x (where the naive form overflows); log1p keeps the negative tail ≈ eˣ to a few ε,
/// where ln(1 + e^−|x|) gave 3.58e-7 for 3.06e-7 at −15 and 0 from −16.6 on.
/// </summary>
internal readonly struct SoftplusOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => MathF.Max(x, 0f) + SimdMath.Log1p(MathF.Exp(-MathF.Abs(x)));
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) =>
        Vector512.Max(x, Vector512<float>.Zero) + SimdMath.Log1p(Vector512.Exp(-Vector512.Abs(x)));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) =>
        Vector256.Max(x, Vector256<float>.Zero) + SimdMath.Log1p(Vector256.Exp(-Vector256.Abs(x)));
}

/// <summary><c>dx = dy·σ(x) = dy / (1 + e⁻ˣ)</c>: softplus.</summary>
internal readonly struct SigmoidOfXBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => dy / (1f + MathF.Exp(-x));
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => dy / (Vector512<float>.One + Vector512.Exp(-x));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => dy / (Vector256<float>.One + Vector256.Exp(-x));
}

/// <summary>
/// Hard sigmoid, PyTorch's definition: <c>clamp((x + 3)/6, 0, 1)</c>, as (x + 3)·(1/6) in every body, so they round
/// alike. Not x/6 + 1/2: near x = −3 that sum cancels (9ε relative error at −2.94), while x + 3 is exact there.
/// </summary>
internal readonly struct HardSigmoidOp : IUnaryOperator
{
    private const float Sixth = 1f / 6f;

    public static float Invoke(float x, float a) => float.IsNaN(x) ? x : Math.Clamp((x + 3f) * Sixth, 0f, 1f);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a)
    {
        var r = Vector512.Min(Vector512.Max((x + Vector512.Create(3f)) * Vector512.Create(Sixth), Vector512<float>.Zero), Vector512<float>.One);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), r, x);
    }
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a)
    {
        var r = Vector256.Min(Vector256.Max((x + Vector256.Create(3f)) * Vector256.Create(Sixth), Vector256<float>.Zero), Vector256<float>.One);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), r, x);
    }
}

/// <summary><c>dx = dy/6</c> for −3 &lt; x &lt; 3, else 0: hard sigmoid.</summary>
internal readonly struct HardSigmoidBackward : IBackwardOperator
{
    private const float Sixth = 1f / 6f;

    public static float Invoke(float x, float y, float dy, float a) => x > -3f && x < 3f ? dy * Sixth : 0f;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) =>
        Vector512.GreaterThan(x, Vector512.Create(-3f)) & Vector512.LessThan(x, Vector512.Create(3f)) & (dy * Vector512.Create(Sixth));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) =>
        Vector256.GreaterThan(x, Vector256.Create(-3f)) & Vector256.LessThan(x, Vector256.Create(3f)) & (dy * Vector256.Create(Sixth));
}
