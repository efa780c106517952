namespace DeepLearning;

// Reversal along one axis (a bidirectional layer's backward direction reads the sequence back to front): one strided
// copy whose stride along the axis is negative. Its gradient is the same reversal of the output's gradient.
public partial class Tensor
{
    /// <summary>The tensor with the order of entries along <paramref name="axis"/> reversed (PyTorch's <c>flip</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public Tensor Flip(int axis)
    {
        int a = Shape.NormalizeAxis(axis, "Flip");
        var y = Create(Shape, Device);
        if (Length > 0)
        {
            Span<int> strides = stackalloc int[Rank];
            for (int d = Rank - 1, acc = 1; d >= 0; d--)
            {
                strides[d] = acc;
                acc *= Shape[d];
            }
            int start = Offset + (Shape[a] - 1) * strides[a];
            strides[a] = -strides[a];
            Backend.CopyStrided(Buffer, start, strides, y.Buffer, y.Offset, Shape.Dims);
        }
        if (Tape.Record(y, this, null, FlipRule) is { } node) node.Int = a;
        return y;
    }

    private static readonly BackwardRule FlipRule = static (n, g) => n.AddToA(g.Flip(n.Int));
}
