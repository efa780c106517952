namespace DeepLearning;

// Softmax and log-softmax over the last axis (the features of a [batch, features] tensor), as fused, stable
// kernels: the row maximum is subtracted before exponentiating, and log-softmax never takes the log of a
// rounded-to-zero probability.
public partial class Tensor
{
    /// <summary>Softmax over the last axis: <c>eˣⁱ / Σⱼ eˣʲ</c>, each row summing to 1.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a scalar.</exception>
    public Tensor Softmax() => SoftmaxCore(log: false, "Softmax");

    /// <summary>Log-softmax over the last axis: <c>xᵢ − log Σⱼ eˣʲ</c>, stable for large inputs.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a scalar.</exception>
    public Tensor LogSoftmax() => SoftmaxCore(log: true, "LogSoftmax");

    private Tensor SoftmaxCore(bool log, string name)
    {
        if (Rank == 0) throw new InvalidOperationException($"{name}: needs at least one axis, got a scalar");
        int cols = Shape[-1], rows = Length == 0 ? 0 : Length / cols;
        var y = Create(Shape, Device);
        Backend.Softmax(Buffer, Offset, y.Buffer, y.Offset, rows, cols, log);
        var node = Tape.Record(y, this, null, SoftmaxRule);
        if (node is not null) node.Int = log ? 1 : 0;
        return y;
    }

    private static readonly BackwardRule SoftmaxRule = static (n, g) =>
    {
        var y = n.Output;
        int cols = y.Shape[-1], rows = y.Length == 0 ? 0 : y.Length / cols;
        var dx = Create(y.Shape, y.Device);
        y.Backend.SoftmaxBackward(y.Buffer, y.Offset, g.Buffer, g.Offset, dx.Buffer, dx.Offset, rows, cols, n.Int == 1);
        n.AddToA(dx);
    };
}
