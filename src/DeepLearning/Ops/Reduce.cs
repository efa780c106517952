using DeepLearning.Backends;

namespace DeepLearning;

// Reductions. Over all elements they return a rank-0 tensor; along an axis they remove it unless keepDims.
public partial class Tensor
{
    /// <summary>Sum of all elements, as a rank-0 tensor.</summary>
    public Tensor Sum() => ReduceAll(ReduceOp.Sum, "Sum");

    /// <summary>Sum along <paramref name="axis"/> (negative counts from the end).</summary>
    /// <param name="axis">The axis to sum over.</param>
    /// <param name="keepDims">Keep the axis with length 1, so the result broadcasts against the input.</param>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public Tensor Sum(int axis, bool keepDims = false) => ReduceAxis(ReduceOp.Sum, axis, keepDims, "Sum");

    /// <summary>Sum over several axes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    /// <exception cref="ArgumentException">An axis is repeated.</exception>
    public Tensor Sum(int[] axes, bool keepDims = false) => ReduceAxes(ReduceOp.Sum, axes, keepDims, "Sum");

    /// <summary>Mean of all elements, as a rank-0 tensor (NaN for an empty tensor).</summary>
    public Tensor Mean() => ReduceAll(ReduceOp.Mean, "Mean");

    /// <summary>Mean along <paramref name="axis"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public Tensor Mean(int axis, bool keepDims = false) => ReduceAxis(ReduceOp.Mean, axis, keepDims, "Mean");

    /// <summary>Mean over several axes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public Tensor Mean(int[] axes, bool keepDims = false) => ReduceAxes(ReduceOp.Mean, axes, keepDims, "Mean");

    /// <summary>Maximum of all elements (NaN if any is NaN). The gradient goes to the maximal elements, split on ties.</summary>
    /// <exception cref="InvalidOperationException">The tensor is empty.</exception>
    public Tensor Max() => ReduceAll(ReduceOp.Max, "Max");

    /// <summary>Maximum along <paramref name="axis"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="InvalidOperationException">The axis is empty.</exception>
    public Tensor Max(int axis, bool keepDims = false) => ReduceAxis(ReduceOp.Max, axis, keepDims, "Max");

    /// <summary>Minimum of all elements. The gradient goes to the minimal elements, split on ties.</summary>
    /// <exception cref="InvalidOperationException">The tensor is empty.</exception>
    public Tensor Min() => ReduceAll(ReduceOp.Min, "Min");

    /// <summary>Minimum along <paramref name="axis"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public Tensor Min(int axis, bool keepDims = false) => ReduceAxis(ReduceOp.Min, axis, keepDims, "Min");

    /// <summary>
    /// Index of the first maximum along <paramref name="axis"/> for every position of the other axes, in row-major
    /// order (for scores <c>[batch, classes]</c> and axis −1: the predicted class of each sample). Not differentiable.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="InvalidOperationException">The axis is empty.</exception>
    public int[] ArgMax(int axis = -1)
    {
        using var y = ArgMaxOnDevice(axis);
        var f = y.ToArray();
        var r = new int[f.Length];
        for (int i = 0; i < f.Length; i++) r[i] = (int)f[i];
        return r;
    }

    /// <summary>The indices of <see cref="ArgMax"/> as a flat tensor of floats on this tensor's device (no read back).</summary>
    internal Tensor ArgMaxOnDevice(int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis, "ArgMax");
        if (Shape[a] == 0) throw new InvalidOperationException($"ArgMax: axis {axis} of {Describe()} is empty");
        int outer = Shape.Product(0, a), inner = Shape.Product(a + 1, Rank);
        var y = Create(Shape.Of([outer * inner]), Device);
        Backend.ArgMax(Buffer, Offset, outer, Shape[a], inner, y.Buffer, y.Offset);
        return y;
    }

    private Tensor ReduceAll(ReduceOp op, string name)
    {
        if (Length == 0 && op is ReduceOp.Max or ReduceOp.Min)
            throw new InvalidOperationException($"{name}: {Describe()} is empty");
        var flat = Rank == 1 ? this : Reshape(Shape.Of([Length]));
        return Reduce(op, flat, 0);
    }

    private Tensor ReduceAxis(ReduceOp op, int axis, bool keepDims, string name)
    {
        int a = Shape.NormalizeAxis(axis, name);
        if (Shape[a] == 0 && op is ReduceOp.Max or ReduceOp.Min)
            throw new InvalidOperationException($"{name}: axis {axis} of {Describe()} is empty");
        var y = Reduce(op, this, a);
        return keepDims ? y.Reshape(Shape.WithDim(a, 1)) : y;
    }

    private Tensor ReduceAxes(ReduceOp op, int[] axes, bool keepDims, string name)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var norm = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) norm[i] = Shape.NormalizeAxis(axes[i], name);
        Array.Sort(norm);
        for (int i = 1; i < norm.Length; i++)
            if (norm[i] == norm[i - 1]) throw new ArgumentException($"{name}: axis {norm[i]} is repeated in the axes of {Describe()}", nameof(axes));
        // Innermost first, each with keepDims, so the remaining axis numbers stay valid.
        var y = this;
        for (int i = norm.Length - 1; i >= 0; i--) y = y.ReduceAxis(op, norm[i], keepDims: true, name);
        if (keepDims) return y;
        var dims = new List<int>();
        for (int d = 0; d < Rank; d++) if (Array.IndexOf(norm, d) < 0) dims.Add(Shape[d]);
        return y.Reshape(new Shape([.. dims]));
    }

    /// <summary>Reduces <paramref name="axis"/> away, recording the rule.</summary>
    private static Tensor Reduce(ReduceOp op, Tensor x, int axis)
    {
        var y = Kernels.Reduce(op, x, axis);
        var node = Tape.Record(y, x, null, ReduceRule);
        if (node is not null)
        {
            node.Int = axis;
            node.Alpha = (float)op;
        }
        return y;
    }

    private static readonly BackwardRule ReduceRule = static (n, g) =>
    {
        var x = n.A;
        int axis = n.Int;
        var kept = x.Shape.WithDim(axis, 1);
        var gk = g.Reshape(kept);
        switch ((ReduceOp)(int)n.Alpha)
        {
            case ReduceOp.Sum:
                n.AddToA(Kernels.Expand(gk, x.Shape));
                break;
            case ReduceOp.Mean:
                n.AddToA(Kernels.Expand(gk, x.Shape) * (1f / x.Shape[axis]));
                break;
            default:
                // Every element equal to the extreme shares its gradient evenly (PyTorch's amax/amin rule).
                var mask = Kernels.Binary(BinaryOp.Equal, x, n.Output.Reshape(kept), "Max");
                var count = Kernels.Reduce(ReduceOp.Sum, mask, axis).Reshape(kept);
                n.AddToA(mask * (gk / count));
                break;
        }
    };
}
