using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

// Operators that TensorPrimitives does not provide. Comparisons are written so that NaN propagates where the
// function of NaN is NaN (LeakyRelu(NaN) = α·NaN) and masks are 0 for NaN.

internal readonly struct LeakyReluOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => x > 0 ? x : a * x;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, a * x);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, a * x);
}

internal readonly struct SignOp : IUnaryOperator
{
    public static float Invoke(float x, float a) => float.IsNaN(x) ? x : MathF.Sign(x);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> a)
    {
        var one = Vector512<float>.One;
        var s = (Vector512.GreaterThan(x, Vector512<float>.Zero) & one) - (Vector512.LessThan(x, Vector512<float>.Zero) & one);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), s, x);
    }
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> a)
    {
        var one = Vector256<float>.One;
        var s = (Vector256.GreaterThan(x, Vector256<float>.Zero) & one) - (Vector256.LessThan(x, Vector256<float>.Zero) & one);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), s, x);
    }
}

internal readonly struct GreaterEqualOp : IBinaryOperator
{
    public static float Invoke(float a, float b) => a >= b ? 1f : 0f;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b) & Vector512<float>.One;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b) & Vector256<float>.One;
}

internal readonly struct GreaterOp : IBinaryOperator
{
    public static float Invoke(float a, float b) => a > b ? 1f : 0f;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b) & Vector512<float>.One;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b) & Vector256<float>.One;
}

internal readonly struct EqualOp : IBinaryOperator
{
    public static float Invoke(float a, float b) => a == b ? 1f : 0f;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b) & Vector512<float>.One;
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b) & Vector256<float>.One;
}

/// <summary><c>a</c> where <c>b ≠ 0</c>, else 0. NaN ≠ 0, so a NaN condition selects a (as a nonzero one does).</summary>
internal readonly struct KeepWhereOp : IBinaryOperator
{
    public static float Invoke(float a, float b) => b != 0f ? a : 0f;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(Vector512.Equals(b, Vector512<float>.Zero), Vector512<float>.Zero, a);
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(Vector256.Equals(b, Vector256<float>.Zero), Vector256<float>.Zero, a);
}

/// <summary><c>a</c> where <c>b = 0</c>, else 0: the complement of <see cref="KeepWhereOp"/>, so the two sum to a select.</summary>
internal readonly struct KeepWhereNotOp : IBinaryOperator
{
    public static float Invoke(float a, float b) => b == 0f ? a : 0f;
    public static Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(Vector512.Equals(b, Vector512<float>.Zero), a, Vector512<float>.Zero);
    public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(Vector256.Equals(b, Vector256<float>.Zero), a, Vector256<float>.Zero);
}

// Backward rules dx = dy · f′, each from whichever of x and y gives the derivative cheaply and stably.

internal readonly struct ReluBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => x > 0 ? dy : 0f;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => Vector512.GreaterThan(x, Vector512<float>.Zero) & dy;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => Vector256.GreaterThan(x, Vector256<float>.Zero) & dy;
}

internal readonly struct LeakyReluBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => x > 0 ? dy : a * dy;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, a * dy);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, a * dy);
}

internal readonly struct SigmoidBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => dy * y * (1f - y);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => dy * y * (Vector512<float>.One - y);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => dy * y * (Vector256<float>.One - y);
}

internal readonly struct TanhBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => dy * (1f - y * y);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => dy * (Vector512<float>.One - y * y);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => dy * (Vector256<float>.One - y * y);
}

/// <summary><c>dx = dy · y</c>: exp.</summary>
internal readonly struct MulYBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => dy * y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => dy * y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => dy * y;
}

/// <summary><c>dx = dy / x</c>: log.</summary>
internal readonly struct DivXBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => dy / x;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => dy / x;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => dy / x;
}

/// <summary><c>dx = dy / (2y)</c>: sqrt.</summary>
internal readonly struct SqrtBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => 0.5f * dy / y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => Vector512.Create(0.5f) * dy / y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => Vector256.Create(0.5f) * dy / y;
}

/// <summary><c>dx = dy · sign(x)</c>: abs.</summary>
internal readonly struct AbsBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => dy * SignOp.Invoke(x, 0);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => dy * SignOp.Invoke(x, a);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => dy * SignOp.Invoke(x, a);
}

/// <summary><c>dx = 2x · dy</c>: square.</summary>
internal readonly struct SquareBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => 2f * x * dy;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => (x + x) * dy;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => (x + x) * dy;
}

/// <summary><c>dx = −dy · y / x</c>: α / x, whose derivative is −α/x² = −y/x.</summary>
internal readonly struct RDivBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => -dy * y / x;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => -dy * y / x;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => -dy * y / x;
}

/// <summary><c>dx = dy · y · ln α</c>: αˣ (ln α passed as the parameter).</summary>
internal readonly struct RPowBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float lnA) => dy * y * lnA;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> lnA) => dy * y * lnA;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> lnA) => dy * y * lnA;
}

/// <summary><c>dx = dy · cos x</c>: sin.</summary>
internal readonly struct SinBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => dy * MathF.Cos(x);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => dy * Vector512.Cos(x);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => dy * Vector256.Cos(x);
}

/// <summary><c>dx = −dy · sin x</c>: cos.</summary>
internal readonly struct CosBackward : IBackwardOperator
{
    public static float Invoke(float x, float y, float dy, float a) => -dy * MathF.Sin(x);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> a) => -dy * Vector512.Sin(x);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> a) => -dy * Vector256.Sin(x);
}
