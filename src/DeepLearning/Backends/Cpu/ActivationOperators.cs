using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

// Forward and fused backward bodies of the activations that TensorPrimitives lacks (ELU, GELU, Swish, Softplus,
// hard sigmoid). Each is written so that it cannot overflow for large |x|: exponentials only ever see a non-positive
// argument or feed a division that saturates to the right limit (x / (1 + e^big) → 0).

/// <summary>ELU: <c>x</c> for x &gt; 0, else <c>α(eˣ − 1)</c>; the exponent is clamped at 0 so the unused branch cannot overflow.</summary>
internal readonly struct EluOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => x > 0 ? x : a * (MathF.Exp(x) - 1f);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, a * (Vector512.Exp(Vector512.Min(x, Vector512<float>.Zero)) - Vector512<float>.One));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, a * (Vector256.Exp(Vector256.Min(x, Vector256<float>.Zero)) - Vector256<float>.One));
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
/// computed as <c>x / (1 + e^(−2u))</c>, <c>u = √(2/π)(x + 0.044715x³)</c>: one exponential, no tanh.
/// </summary>
internal readonly struct GeluOp : IUnaryOperator
{
    internal const float TwoC = 1.5957691216057308f; // 2·√(2/π)
    internal const float K = 0.044715f;

    public static float Invoke(float x, float a) => x / (1f + MathF.Exp(-TwoC * (x + K * x * x * x)));
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) =>
        x / (Vector512<float>.One + Vector512.Exp(Vector512.Create(-TwoC) * (x + Vector512.Create(K) * x * x * x)));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) =>
        x / (Vector256<float>.One + Vector256.Exp(Vector256.Create(-TwoC) * (x + Vector256.Create(K) * x * x * x)));
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

/// <summary>Swish / SiLU: <c>x·σ(x) = x / (1 + e⁻ˣ)</c>.</summary>
internal readonly struct SwishOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => x / (1f + MathF.Exp(-x));
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) => x / (Vector512<float>.One + Vector512.Exp(-x));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) => x / (Vector256<float>.One + Vector256.Exp(-x));
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
/// Softplus <c>ln(1 + eˣ)</c> as <c>max(x, 0) + ln(1 + e^−|x|)</c>: the exponential never exceeds 1, so it is exact
/// to rounding for large positive x (where the naive form overflows) and tends to 0 for large negative x.
/// </summary>
internal readonly struct SoftplusOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) =>
        Vector512.Max(x, Vector512<float>.Zero) + Vector512.Log(Vector512<float>.One + Vector512.Exp(-Vector512.Abs(x)));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) =>
        Vector256.Max(x, Vector256<float>.Zero) + Vector256.Log(Vector256<float>.One + Vector256.Exp(-Vector256.Abs(x)));
}

/// <summary><c>dx = dy·σ(x) = dy / (1 + e⁻ˣ)</c>: softplus.</summary>
internal readonly struct SigmoidOfXBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => dy / (1f + MathF.Exp(-x));
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => dy / (Vector512<float>.One + Vector512.Exp(-x));
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => dy / (Vector256<float>.One + Vector256.Exp(-x));
}

/// <summary>Hard sigmoid, PyTorch's definition: <c>clamp(x/6 + 1/2, 0, 1)</c> (x·(1/6) in every body, so they round alike).</summary>
internal readonly struct HardSigmoidOp : IUnaryOperator
{
    private const float Sixth = 1f / 6f;

    public static float Invoke(float x, float a) => float.IsNaN(x) ? x : Math.Clamp(x * Sixth + 0.5f, 0f, 1f);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a)
    {
        var r = Vector512.Min(Vector512.Max(x * Vector512.Create(Sixth) + Vector512.Create(0.5f), Vector512<float>.Zero), Vector512<float>.One);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), r, x);
    }
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a)
    {
        var r = Vector256.Min(Vector256.Max(x * Vector256.Create(Sixth) + Vector256.Create(0.5f), Vector256<float>.Zero), Vector256<float>.One);
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
