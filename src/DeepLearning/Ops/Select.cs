using System.Globalization;
using DeepLearning.Backends;

namespace DeepLearning;

// Element-wise selection: Clamp and Where. Both are exact selections (no arithmetic blends a value that is not
// chosen), so an infinite or NaN value that is not selected cannot leak into the result, and each has its own rule:
// composed from Maximum/Minimum, Clamp would split the gradient at the bounds; written as c·a + (1 − c)·b, Where
// would turn a masked −∞ into NaN.
public partial class Tensor
{
    /// <summary>
    /// Element-wise <c>min(max(x, min), max)</c> (PyTorch's <c>clamp</c>); NaN stays NaN. The gradient is 1 where
    /// <c>min ≤ x ≤ max</c>, bounds included, and 0 outside, as in PyTorch (at a bound the function has no derivative;
    /// letting the gradient through there keeps a value that sits exactly on a bound trainable).
    /// </summary>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound, ≥ <paramref name="min"/>.</param>
    /// <exception cref="ArgumentException">A bound is NaN, or <paramref name="min"/> &gt; <paramref name="max"/>.</exception>
    public Tensor Clamp(float min, float max)
    {
        if (float.IsNaN(min) || float.IsNaN(max) || min > max)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Clamp: bounds [{min}, {max}] of {Describe()} are not an interval (min must be ≤ max, neither NaN)"));
        var lo = Full(Shape.Scalar, min, Device);
        var hi = Full(Shape.Scalar, max, Device);
        var y = Kernels.Binary(BinaryOp.Minimum, Kernels.Binary(BinaryOp.Maximum, this, lo, "Clamp"), hi, "Clamp");
        if (Tape.Record(y, this, null, ClampRule) is { } node)
        {
            node.Saved = lo;
            node.Saved2 = hi;
        }
        return y;
    }

    // Gradient where lo ≤ x ≤ hi: (x ≥ lo) · (hi ≥ x), each comparison 0 for NaN.
    private static readonly BackwardRule ClampRule = static (n, g) =>
    {
        var inside = Kernels.Binary(BinaryOp.GreaterEqual, n.A, n.Saved!, "Clamp") * Kernels.Binary(BinaryOp.GreaterEqual, n.Saved2!, n.A, "Clamp");
        n.AddToA(g * inside);
    };

    /// <summary>
    /// Element-wise selection (PyTorch's and NumPy's <c>where</c>): <c>a</c> where <paramref name="condition"/> is
    /// nonzero, <c>b</c> where it is 0, the three broadcast together. The gradient flows to <c>a</c> where the condition
    /// holds and to <c>b</c> elsewhere (summed over broadcast axes); none flows to the condition.
    /// </summary>
    /// <param name="condition">A mask, usually of 0 and 1 (a comparison's output); any nonzero value, NaN included, selects <paramref name="a"/>.</param>
    /// <param name="a">The values taken where the condition holds.</param>
    /// <param name="b">The values taken elsewhere.</param>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the tensors are on different devices.</exception>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        try
        {
            Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Where: condition {condition.Shape}, a {a.Shape} and b {b.Shape} cannot broadcast", e);
        }
        Kernels.SameDevice("Where", condition, a);
        Kernels.SameDevice("Where", condition, b);
        // Each half is exact (the other side contributes a true 0), so their sum is the selected value itself.
        var y = Kernels.Binary(BinaryOp.Add, Kernels.Binary(BinaryOp.KeepWhere, a, condition, "Where"), Kernels.Binary(BinaryOp.KeepWhereNot, b, condition, "Where"), "Where");
        if (Tape.Record(y, a, b, WhereRule) is { } node) node.Saved = condition;
        return y;
    }

    /// <summary><see cref="Where(Tensor, Tensor, Tensor)"/> with a scalar <paramref name="b"/> (such as −∞ to mask scores).</summary>
    /// <param name="condition">A mask; nonzero selects <paramref name="a"/>.</param>
    /// <param name="a">The values taken where the condition holds.</param>
    /// <param name="b">The value taken elsewhere.</param>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the tensors are on different devices.</exception>
    public static Tensor Where(Tensor condition, Tensor a, float b)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Where(condition, a, Full(Shape.Scalar, b, a.Device));
    }

    /// <summary><see cref="Where(Tensor, Tensor, Tensor)"/> with a scalar <paramref name="a"/>.</summary>
    /// <param name="condition">A mask; nonzero selects <paramref name="a"/>.</param>
    /// <param name="a">The value taken where the condition holds.</param>
    /// <param name="b">The values taken elsewhere.</param>
    /// <exception cref="ArgumentException">The shapes cannot broadcast, or the tensors are on different devices.</exception>
    public static Tensor Where(Tensor condition, float a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return Where(condition, Full(Shape.Scalar, a, b.Device), b);
    }

    private static readonly BackwardRule WhereRule = static (n, g) =>
    {
        var condition = n.Saved!;
        if (n.NeedsA) n.AddToA(Kernels.Unbroadcast(Kernels.Binary(BinaryOp.KeepWhere, g, condition, "Where"), n.A.Shape));
        if (n.NeedsB) n.AddToB(Kernels.Unbroadcast(Kernels.Binary(BinaryOp.KeepWhereNot, g, condition, "Where"), n.B!.Shape));
    };
}
