using DeepLearning.Backends;

namespace DeepLearning;

/// <summary>Forward calls into the backend shared by the ops: validation, output allocation, strides.</summary>
internal static class Kernels
{
    public static void SameDevice(string op, Tensor a, Tensor b)
    {
        if (a.Device != b.Device)
        {
            string which = a.Device.Name == b.Device.Name ? $"two backends both named {a.Device.Name}" : $"{a.Device.Name} and {b.Device.Name}";
            throw new ArgumentException($"{op}: tensors are on different devices ({which}); move one with To(device)");
        }
    }

    public static Tensor Unary(UnaryOp op, float alpha, Tensor x)
    {
        var y = Tensor.Create(x.Shape, x.Device);
        x.Backend.Unary(op, alpha, x.Buffer, x.Offset, y.Buffer, y.Offset, x.Length);
        return y;
    }

    /// <summary><c>dx = dy · f′</c> through the backend's fused backward of a unary map.</summary>
    public static Tensor UnaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor dy)
    {
        var dx = Tensor.Create(x.Shape, x.Device);
        x.Backend.UnaryBackward(op, alpha, x.Buffer, x.Offset, y.Buffer, y.Offset, dy.Buffer, dy.Offset, dx.Buffer, dx.Offset, x.Length);
        return dx;
    }

    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b, string name)
    {
        SameDevice(name, a, b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, name);
        var y = Tensor.Create(shape, a.Device);
        int rank = shape.Rank;
        Span<int> sa = stackalloc int[rank];
        Span<int> sb = stackalloc int[rank];
        BroadcastStrides(a.Shape, shape, sa);
        BroadcastStrides(b.Shape, shape, sb);
        a.Backend.Binary(op, a.Buffer, a.Offset, sa, b.Buffer, b.Offset, sb, y.Buffer, y.Offset, shape.Dims);
        return y;
    }

    /// <summary>Strides of <paramref name="from"/> read as <paramref name="to"/>: 0 on the axes it is broadcast along.</summary>
    public static void BroadcastStrides(Shape from, Shape to, Span<int> strides)
    {
        int lead = to.Rank - from.Rank;
        int acc = 1;
        for (int d = to.Rank - 1; d >= 0; d--)
        {
            int n = d < lead ? 1 : from.Dims[d - lead];
            strides[d] = n == 1 ? 0 : acc;
            acc *= n;
        }
    }

    /// <summary>
    /// Sums a gradient over the axes along which an input of <paramref name="shape"/> was broadcast, giving it the
    /// input's shape back: leading axes the input lacked, then axes where it had 1.
    /// </summary>
    public static Tensor Unbroadcast(Tensor grad, Shape shape)
    {
        if (grad.Shape == shape) return grad;
        var g = grad;
        int lead = g.Rank - shape.Rank;
        if (lead > 0)
        {
            // The leading axes are contiguous: one reduction of [prod(lead), rest] over axis 0, then the trailing
            // axes back, so the per-axis loop below indexes dimensions of the input's rank.
            var trailing = Shape.Of(g.Shape.Dims[lead..]);
            g = Reduce(ReduceOp.Sum, g.Reshape(Shape.Of(g.Shape.Product(0, lead), trailing.Length)), 0).Reshape(trailing);
        }
        for (int d = 0; d < shape.Rank; d++)
            if (shape.Dims[d] == 1 && g.Shape.Dims[d] != 1)
                g = Reduce(ReduceOp.Sum, g, d).Reshape(g.Shape.WithDim(d, 1));
        return g.Reshape(shape);
    }

    /// <summary>Copies <paramref name="x"/> broadcast to <paramref name="shape"/> (NumPy rules).</summary>
    public static Tensor Expand(Tensor x, Shape shape)
    {
        var y = Tensor.Create(shape, x.Device);
        Span<int> strides = stackalloc int[shape.Rank];
        BroadcastStrides(x.Shape, shape, strides);
        x.Backend.CopyStrided(x.Buffer, x.Offset, strides, y.Buffer, y.Offset, shape.Dims);
        return y;
    }

    /// <summary>Reduces one axis, removing it.</summary>
    public static Tensor Reduce(ReduceOp op, Tensor x, int axis)
    {
        var y = Tensor.Create(x.Shape.Without(axis), x.Device);
        x.Backend.Reduce(op, x.Buffer, x.Offset, x.Shape.Product(0, axis), x.Shape[axis], x.Shape.Product(axis + 1, x.Rank), y.Buffer, y.Offset);
        return y;
    }
}
