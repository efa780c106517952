namespace DeepLearning;

// Ops that move elements without computing: reshapes are views of the same memory; transposes, slices and
// concatenations copy through the backend's strided and block copies.
public partial class Tensor
{
    /// <summary>The same elements under another shape, sharing memory; one dimension may be −1 (inferred).</summary>
    /// <exception cref="ArgumentException">The element counts differ, or more than one dimension is −1.</exception>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: only one dimension may be -1 in {Shape.Format(shape)}", nameof(shape));
                infer = i;
            }
            else if (shape[i] < 0) throw new ArgumentException($"Reshape: dimension {shape[i]} is negative in {Shape.Format(shape)}", nameof(shape));
            else known *= shape[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Length % known != 0)
                throw new ArgumentException($"Reshape: cannot view {Length} elements as {Shape.Format(shape)}", nameof(shape));
            shape = (int[])shape.Clone();
            shape[infer] = (int)(Length / known);
        }
        return Reshape(Shape.Of(shape));
    }

    /// <summary>The same elements under <paramref name="shape"/>, sharing memory.</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public Tensor Reshape(Shape shape)
    {
        if (shape.Length != Length)
            throw new ArgumentException($"Reshape: cannot view {Length} elements as {shape}", nameof(shape));
        var y = View(shape);
        Tape.Record(y, this, null, ReshapeRule);
        return y;
    }

    /// <summary>
    /// A copy of the elements in new memory, in the current scope (PyTorch's <c>clone()</c>); differentiable, the
    /// gradient passing through unchanged. Use it to hold a value past the scope that releases the original.
    /// </summary>
    public Tensor Clone() => Map(DeepLearning.Backends.UnaryOp.Identity, 0, this);

    /// <summary>Swaps the last two axes (the matrix transpose of a 2-D tensor, of each matrix of a batch).</summary>
    /// <exception cref="InvalidOperationException">The tensor has fewer than two axes.</exception>
    public Tensor Transpose()
    {
        if (Rank < 2) throw new InvalidOperationException($"Transpose: {Describe()} has fewer than two axes");
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return Permute(perm);
    }

    /// <summary>Reorders the axes: axis i of the result is axis <c>perm[i]</c> of this tensor (NumPy's <c>transpose(axes)</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="perm"/> is not a permutation of 0..Rank−1.</exception>
    public Tensor Permute(params int[] perm)
    {
        ArgumentNullException.ThrowIfNull(perm);
        bool ok = perm.Length == Rank;
        var seen = new bool[Rank];
        for (int i = 0; ok && i < perm.Length; i++)
        {
            int p = perm[i];
            ok = p >= 0 && p < Rank && !seen[p];
            if (ok) seen[p] = true;
        }
        if (!ok) throw new ArgumentException($"Permute: {Shape.Format(perm)} is not a permutation of the axes of {Describe()}", nameof(perm));
        var strides = Shape.Strides();
        var dims = new int[Rank];
        var permStrides = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            dims[i] = Shape[perm[i]];
            permStrides[i] = strides[perm[i]];
        }
        var y = Create(new Shape(dims), Device);
        Backend.CopyStrided(Buffer, Offset, permStrides, y.Buffer, y.Offset, dims);
        var node = Tape.Record(y, this, null, PermuteRule);
        if (node is not null) node.State = perm.Clone();
        return y;
    }

    /// <summary>
    /// Entries <paramref name="start"/> … <paramref name="start"/> + <paramref name="length"/> − 1 along the first
    /// axis (a batch of samples), sharing memory.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the first axis.</exception>
    public Tensor Slice(int start, int length)
    {
        if (Rank == 0) throw new InvalidOperationException("Slice: a scalar has no axis to slice");
        CheckRange(0, start, length);
        var y = View(Shape.WithDim(0, length), start * Shape.Product(1, Rank));
        var node = Tape.Record(y, this, null, SliceRule);
        if (node is not null)
        {
            node.Int = 0;
            node.Int2 = start;
        }
        return y;
    }

    /// <summary>Entries <paramref name="start"/> … <paramref name="start"/> + <paramref name="length"/> − 1 along <paramref name="axis"/>: a view sharing memory for axis 0, a copy for the others.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis or the range is out of bounds.</exception>
    public Tensor Slice(int axis, int start, int length)
    {
        int a = Shape.NormalizeAxis(axis, "Slice");
        if (a == 0) return Slice(start, length);
        CheckRange(a, start, length);
        int inner = Shape.Product(a + 1, Rank), outer = Shape.Product(0, a);
        var y = Create(Shape.WithDim(a, length), Device);
        Backend.CopyBlocks(Buffer, Offset + start * inner, Shape[a] * inner, y.Buffer, y.Offset, length * inner, length * inner, outer);
        var node = Tape.Record(y, this, null, SliceRule);
        if (node is not null)
        {
            node.Int = a;
            node.Int2 = start;
        }
        return y;
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; all other dimensions must agree.</summary>
    /// <exception cref="ArgumentException">No tensors, ranks or other dimensions that differ, or tensors on different devices.</exception>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Concat: no tensors given", nameof(tensors));
        var first = tensors[0];
        int a = first.Shape.NormalizeAxis(axis, "Concat");
        int total = 0;
        foreach (var t in tensors)
        {
            Kernels.SameDevice("Concat", first, t);
            bool fits = t.Rank == first.Rank;
            for (int d = 0; fits && d < t.Rank; d++) fits = d == a || t.Shape[d] == first.Shape[d];
            if (!fits)
                throw new ArgumentException($"Concat: shapes {first.Shape} and {t.Shape} differ outside axis {axis}", nameof(tensors));
            total += t.Shape[a];
        }
        var y = Create(first.Shape.WithDim(a, total), first.Device);
        int outer = first.Shape.Product(0, a), inner = first.Shape.Product(a + 1, first.Rank), at = 0;
        foreach (var t in tensors)
        {
            int block = t.Shape[a] * inner;
            y.Backend.CopyBlocks(t.Buffer, t.Offset, block, y.Buffer, y.Offset + at * inner, total * inner, block, outer);
            at += t.Shape[a];
        }
        // The tape keeps its own copy: the caller may reuse its list before the backward pass.
        if (Tape.Active && Tape.Record(y, [.. tensors], ConcatRule) is { } node) node.Int = a;
        return y;
    }

    /// <summary>Joins tensors along <paramref name="axis"/>.</summary>
    public static Tensor Concat(int axis, params Tensor[] tensors) => Concat((IReadOnlyList<Tensor>)tensors, axis);

    private void CheckRange(int axis, int start, int length)
    {
        if (start < 0 || length < 0 || start > Shape[axis] || length > Shape[axis] - start)
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice: range [{start}, {start + length}) is outside axis {axis} of {Describe()}");
    }

    private static readonly BackwardRule ReshapeRule = static (n, g) => n.AddToA(g.Reshape(n.A.Shape));

    private static readonly BackwardRule PermuteRule = static (n, g) =>
    {
        var perm = (int[])n.State!;
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        n.AddToA(g.Permute(inverse));
    };

    // The gradient of a slice is zero outside it and the incoming gradient inside.
    private static readonly BackwardRule SliceRule = static (n, g) =>
    {
        var x = n.A;
        int a = n.Int, start = n.Int2;
        int inner = x.Shape.Product(a + 1, x.Rank), outer = x.Shape.Product(0, a), length = g.Shape[a];
        var dx = Zeros(x.Shape, x.Device);
        x.Backend.CopyBlocks(g.Buffer, g.Offset, length * inner, dx.Buffer, dx.Offset + start * inner, x.Shape[a] * inner, length * inner, outer);
        n.AddToA(dx);
    };

    private static readonly BackwardRule ConcatRule = static (n, g) =>
    {
        var inputs = (IReadOnlyList<Tensor>)n.State!;
        int a = n.Int, at = 0;
        var tape = Tape.Current!;
        foreach (var t in inputs)
        {
            if (tape.Tracks(t)) tape.Accumulate(t, g.Slice(a, at, t.Shape[a]));
            at += t.Shape[a];
        }
    };
}
