using ILGPU.Algorithms;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// One element-wise function and its fused backward, as a struct so each kernel is specialised per function (no
/// branch on the op inside the kernel). Bodies mirror the CPU backend's scalar definitions (Backends/Cpu/Operators.cs,
/// ActivationOperators.cs), written with XMath and comparisons only: kernel code must not use Math.Clamp, MathF's
/// fused multiply-add or System.Numerics vectors (see notes/ilgpu.md).
/// </summary>
internal interface IUnaryFunction
{
    float Forward(float x, float a);

    /// <summary><c>dx = dy · f′</c> from the input x or the output y.</summary>
    float Backward(float x, float y, float dy, float a);
}

internal static class Scalar
{
    public static bool IsNaN(float x) => float.IsNaN(x);

    public static float Sign(float x) => float.IsNaN(x) ? x : x > 0f ? 1f : x < 0f ? -1f : 0f;

    /// <summary>NaN if either is NaN (TensorPrimitives' and the CPU backend's convention), else the larger.</summary>
    public static float Max(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : a > b ? a : b;

    public static float Min(float a, float b) => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : a < b ? a : b;
}

internal readonly struct IdentityF : IUnaryFunction
{
    public float Forward(float x, float a) => x;
    public float Backward(float x, float y, float dy, float a) => dy;
}

internal readonly struct NegF : IUnaryFunction
{
    public float Forward(float x, float a) => -x;
    public float Backward(float x, float y, float dy, float a) => -dy;
}

internal readonly struct ExpF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Exp(x);
    public float Backward(float x, float y, float dy, float a) => dy * y;
}

internal readonly struct LogF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Log(x);
    public float Backward(float x, float y, float dy, float a) => dy / x;
}

internal readonly struct SqrtF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Sqrt(x);
    public float Backward(float x, float y, float dy, float a) => 0.5f * dy / y;
}

internal readonly struct AbsF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Abs(x);
    public float Backward(float x, float y, float dy, float a) => dy * Scalar.Sign(x);
}

internal readonly struct SignF : IUnaryFunction
{
    public float Forward(float x, float a) => Scalar.Sign(x);
    public float Backward(float x, float y, float dy, float a) => 0f;
}

internal readonly struct SquareF : IUnaryFunction
{
    public float Forward(float x, float a) => x * x;
    public float Backward(float x, float y, float dy, float a) => 2f * x * dy;
}

internal readonly struct SigmoidF : IUnaryFunction
{
    public float Forward(float x, float a) => 1f / (1f + XMath.Exp(-x));
    public float Backward(float x, float y, float dy, float a) => dy * y * (1f - y);
}

internal readonly struct TanhF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Tanh(x);
    public float Backward(float x, float y, float dy, float a) => dy * (1f - y * y);
}

internal readonly struct ReluF : IUnaryFunction
{
    // NaN passes through, as TensorPrimitives.Max(x, 0) lets it.
    public float Forward(float x, float a) => x > 0f || float.IsNaN(x) ? x : 0f;
    public float Backward(float x, float y, float dy, float a) => x > 0f ? dy : 0f;
}

internal readonly struct LeakyReluF : IUnaryFunction
{
    public float Forward(float x, float a) => x > 0f ? x : a * x;
    public float Backward(float x, float y, float dy, float a) => x > 0f ? dy : a * dy;
}

internal readonly struct AddScalarF : IUnaryFunction
{
    public float Forward(float x, float a) => x + a;
    public float Backward(float x, float y, float dy, float a) => dy;
}

internal readonly struct MulScalarF : IUnaryFunction
{
    public float Forward(float x, float a) => x * a;
    public float Backward(float x, float y, float dy, float a) => dy * a;
}

internal readonly struct PowScalarF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Pow(x, a);
    // α·xᵅ⁻¹ directly, not α·y/x (0/0 at x = 0), in the CPU backend's order.
    public float Backward(float x, float y, float dy, float a) => XMath.Pow(x, a - 1f) * dy * a;
}

internal readonly struct RDivScalarF : IUnaryFunction
{
    public float Forward(float x, float a) => a / x;
    public float Backward(float x, float y, float dy, float a) => -dy * y / x;
}

internal readonly struct RPowScalarF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Pow(a, x);
    public float Backward(float x, float y, float dy, float a) => dy * y * XMath.Log(a);
}

internal readonly struct EluF : IUnaryFunction
{
    // The exponent is clamped at 0 so the branch not taken cannot overflow.
    public float Forward(float x, float a) => x > 0f ? x : a * (XMath.Exp(x < 0f ? x : 0f) - 1f);
    public float Backward(float x, float y, float dy, float a) => x > 0f ? dy : dy * (y + a);
}

internal readonly struct GeluF : IUnaryFunction
{
    private const float TwoC = 1.5957691216057308f; // 2·√(2/π)
    private const float K = 0.044715f;

    // ½(1 + tanh u) = σ(2u): one exponential, no tanh (as on the CPU).
    public float Forward(float x, float a) => x / (1f + XMath.Exp(-TwoC * (x + K * x * x * x)));

    public float Backward(float x, float y, float dy, float a)
    {
        float s = 1f / (1f + XMath.Exp(-TwoC * (x + K * x * x * x)));
        // Clamped so huge x gives 0·finite rather than 0·∞ where s(1 − s) is already 0.
        float xc = x < -20f ? -20f : x > 20f ? 20f : x;
        return dy * (s + xc * s * (1f - s) * TwoC * (1f + 3f * K * xc * xc));
    }
}

internal readonly struct SwishF : IUnaryFunction
{
    public float Forward(float x, float a) => x / (1f + XMath.Exp(-x));

    public float Backward(float x, float y, float dy, float a)
    {
        float s = 1f / (1f + XMath.Exp(-x));
        return dy * s * (1f + x * (1f - s));
    }
}

internal readonly struct SoftplusF : IUnaryFunction
{
    // max(x, 0) + ln(1 + e^−|x|): the exponential never exceeds 1.
    public float Forward(float x, float a) => (x > 0f ? x : 0f) + XMath.Log(1f + XMath.Exp(-XMath.Abs(x)));
    public float Backward(float x, float y, float dy, float a) => dy / (1f + XMath.Exp(-x));
}

internal readonly struct HardSigmoidF : IUnaryFunction
{
    private const float Sixth = 1f / 6f;

    public float Forward(float x, float a)
    {
        if (float.IsNaN(x)) return x;
        float r = x * Sixth + 0.5f;
        return r < 0f ? 0f : r > 1f ? 1f : r;
    }

    public float Backward(float x, float y, float dy, float a) => x > -3f && x < 3f ? dy * Sixth : 0f;
}

internal readonly struct SinF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Sin(x);
    public float Backward(float x, float y, float dy, float a) => dy * XMath.Cos(x);
}

internal readonly struct CosF : IUnaryFunction
{
    public float Forward(float x, float a) => XMath.Cos(x);
    public float Backward(float x, float y, float dy, float a) => -dy * XMath.Sin(x);
}
