using DeepLearning.Backends;

namespace DeepLearning;

// Arithmetic with NumPy broadcasting. Each rule sums the incoming gradient back over the axes an input was
// broadcast along (Kernels.Unbroadcast), so gradients always have their input's shape.
public partial class Tensor
{
    /// <summary>Element-wise <c>a + b</c> with broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the devices differ.</exception>
    public static Tensor Add(Tensor a, Tensor b) => Record(Kernels.Binary(BinaryOp.Add, a, b, "Add"), a, b, AddRule);

    /// <summary>Element-wise <c>a − b</c> with broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the devices differ.</exception>
    public static Tensor Subtract(Tensor a, Tensor b) => Record(Kernels.Binary(BinaryOp.Sub, a, b, "Subtract"), a, b, SubtractRule);

    /// <summary>Element-wise <c>a · b</c> with broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the devices differ.</exception>
    public static Tensor Multiply(Tensor a, Tensor b) => Record(Kernels.Binary(BinaryOp.Mul, a, b, "Multiply"), a, b, MultiplyRule);

    /// <summary>Element-wise <c>a / b</c> with broadcasting; division by zero gives ±∞ or NaN as in IEEE 754.</summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the devices differ.</exception>
    public static Tensor Divide(Tensor a, Tensor b) => Record(Kernels.Binary(BinaryOp.Div, a, b, "Divide"), a, b, DivideRule);

    /// <summary>Element-wise <c>aᵇ</c> with broadcasting. The gradient w.r.t. b is <c>aᵇ·ln a</c>, defined for a &gt; 0.</summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the devices differ.</exception>
    public static Tensor Pow(Tensor a, Tensor b) => Record(Kernels.Binary(BinaryOp.Pow, a, b, "Pow"), a, b, PowRule);

    /// <summary>Element-wise maximum with broadcasting; NaN if either is NaN. On ties the gradient is split evenly.</summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the devices differ.</exception>
    public static Tensor Maximum(Tensor a, Tensor b) => Record(Kernels.Binary(BinaryOp.Maximum, a, b, "Maximum"), a, b, MaximumRule);

    /// <summary>Element-wise minimum with broadcasting; NaN if either is NaN. On ties the gradient is split evenly.</summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the devices differ.</exception>
    public static Tensor Minimum(Tensor a, Tensor b) => Record(Kernels.Binary(BinaryOp.Minimum, a, b, "Minimum"), a, b, MinimumRule);

    /// <summary>Element-wise <c>baseˣ</c> for a scalar base &gt; 0 (its gradient <c>baseˣ·ln base</c> needs base &gt; 0).</summary>
    public static Tensor Pow(float @base, Tensor exponent)
    {
        ArgumentNullException.ThrowIfNull(exponent);
        return Map(UnaryOp.RPowScalar, @base, exponent);
    }

    /// <summary>Element-wise <c>xᵖ</c>.</summary>
    public Tensor Pow(float exponent) => Map(UnaryOp.PowScalar, exponent, this);

    /// <summary>Element-wise <c>eˣ</c>.</summary>
    public Tensor Exp() => Map(UnaryOp.Exp, 0, this);

    /// <summary>Element-wise natural logarithm; NaN below 0, −∞ at 0.</summary>
    public Tensor Log() => Map(UnaryOp.Log, 0, this);

    /// <summary>Element-wise square root; NaN below 0.</summary>
    public Tensor Sqrt() => Map(UnaryOp.Sqrt, 0, this);

    /// <summary>Element-wise absolute value; its gradient at 0 is taken as 0.</summary>
    public Tensor Abs() => Map(UnaryOp.Abs, 0, this);

    /// <summary>Element-wise square <c>x²</c>.</summary>
    public Tensor Square() => Map(UnaryOp.Square, 0, this);

    /// <summary>Element-wise sign in {−1, 0, 1} (NaN stays NaN); its gradient is 0.</summary>
    public Tensor Sign() => Map(UnaryOp.Sign, 0, this);

    /// <summary>Element-wise sine (radians); derivative <c>cos x</c>.</summary>
    public Tensor Sin() => Map(UnaryOp.Sin, 0, this);

    /// <summary>Element-wise cosine (radians); derivative <c>−sin x</c>.</summary>
    public Tensor Cos() => Map(UnaryOp.Cos, 0, this);

    /// <summary>Element-wise <c>−x</c>.</summary>
    public static Tensor operator -(Tensor x) => Map(UnaryOp.Neg, 0, x);

    /// <summary>Element-wise <c>a + b</c> with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);

    /// <summary>Element-wise <c>a − b</c> with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Subtract(a, b);

    /// <summary>Element-wise <c>a · b</c> with broadcasting (not the matrix product: see <see cref="MatMul(Tensor)"/>).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Multiply(a, b);

    /// <summary>Element-wise <c>a / b</c> with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Divide(a, b);

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(Tensor a, float s) => Map(UnaryOp.AddScalar, s, a);

    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(float s, Tensor a) => Map(UnaryOp.AddScalar, s, a);

    /// <summary>Subtracts a scalar from every element.</summary>
    public static Tensor operator -(Tensor a, float s) => Map(UnaryOp.AddScalar, -s, a);

    /// <summary>A scalar minus every element.</summary>
    public static Tensor operator -(float s, Tensor a) => Map(UnaryOp.AddScalar, s, -a);

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(Tensor a, float s) => Map(UnaryOp.MulScalar, s, a);

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(float s, Tensor a) => Map(UnaryOp.MulScalar, s, a);

    /// <summary>Divides every element by a scalar.</summary>
    public static Tensor operator /(Tensor a, float s) => Map(UnaryOp.MulScalar, 1f / s, a);

    /// <summary>A scalar divided by every element.</summary>
    public static Tensor operator /(float s, Tensor a) => Map(UnaryOp.RDivScalar, s, a);

    /// <summary>Element-wise maximum with a scalar.</summary>
    public static Tensor Maximum(Tensor a, float s) => Maximum(a, Full(Shape.Scalar, s, a.Device));

    /// <summary>Element-wise minimum with a scalar.</summary>
    public static Tensor Minimum(Tensor a, float s) => Minimum(a, Full(Shape.Scalar, s, a.Device));

    /// <summary>Applies a unary backend map and records its fused backward.</summary>
    internal static Tensor Map(UnaryOp op, float alpha, Tensor x)
    {
        var y = Kernels.Unary(op, alpha, x);
        var node = Tape.Record(y, x, null, MapRule);
        if (node is not null)
        {
            node.Alpha = alpha;
            node.Int = (int)op;
        }
        return y;
    }

    private static Tensor Record(Tensor y, Tensor a, Tensor b, BackwardRule rule)
    {
        Tape.Record(y, a, b, rule);
        return y;
    }

    private static readonly BackwardRule MapRule = static (n, g) =>
        n.AddToA(Kernels.UnaryBackward((UnaryOp)n.Int, n.Alpha, n.A, n.Output, g));

    private static readonly BackwardRule AddRule = static (n, g) =>
    {
        if (n.NeedsA) n.AddToA(Kernels.Unbroadcast(g, n.A.Shape));
        if (n.NeedsB) n.AddToB(Kernels.Unbroadcast(g, n.B!.Shape));
    };

    private static readonly BackwardRule SubtractRule = static (n, g) =>
    {
        if (n.NeedsA) n.AddToA(Kernels.Unbroadcast(g, n.A.Shape));
        if (n.NeedsB) n.AddToB(Kernels.Unbroadcast(-g, n.B!.Shape));
    };

    private static readonly BackwardRule MultiplyRule = static (n, g) =>
    {
        if (n.NeedsA) n.AddToA(Kernels.Unbroadcast(g * n.B!, n.A.Shape));
        if (n.NeedsB) n.AddToB(Kernels.Unbroadcast(g * n.A, n.B!.Shape));
    };

    // d(a/b)/db = −a/b² = −y/b, which reuses the forward result.
    private static readonly BackwardRule DivideRule = static (n, g) =>
    {
        if (n.NeedsA) n.AddToA(Kernels.Unbroadcast(g / n.B!, n.A.Shape));
        if (n.NeedsB) n.AddToB(Kernels.Unbroadcast(-(g * n.Output / n.B!), n.B!.Shape));
    };

    private static readonly BackwardRule PowRule = static (n, g) =>
    {
        if (n.NeedsA) n.AddToA(Kernels.Unbroadcast(g * n.B! * Pow(n.A, n.B! - 1f), n.A.Shape));
        if (n.NeedsB) n.AddToB(Kernels.Unbroadcast(g * n.Output * n.A.Log(), n.B!.Shape));
    };

    // Maximum: A wins where A > B.  Minimum: A wins where B > A.
    private static readonly BackwardRule MaximumRule = static (n, g) => MinMaxRule(n, g, n.A, n.B!);

    private static readonly BackwardRule MinimumRule = static (n, g) => MinMaxRule(n, g, n.B!, n.A);

    // The winner takes the gradient; a tie splits it, as PyTorch does. Called as (a, b) for Maximum and (b, a) for
    // Minimum, so (first > second) is in both cases the indicator that a wins.
    private static void MinMaxRule(TapeNode n, Tensor g, Tensor first, Tensor second)
    {
        var toA = Kernels.Binary(BinaryOp.Greater, first, second, "Maximum or Minimum") + Kernels.Binary(BinaryOp.Equal, first, second, "Maximum or Minimum") * 0.5f;
        if (n.NeedsA) n.AddToA(Kernels.Unbroadcast(g * toA, n.A.Shape));
        if (n.NeedsB) n.AddToB(Kernels.Unbroadcast(g * (1f - toA), n.B!.Shape));
    }
}
