using DeepLearning.Backends;

namespace DeepLearning;

// An Elman RNN (tanh or ReLU, PyTorch's nonlinearity) over a whole sequence as one op, organised as the LSTM op (see Lstm.cs): the input projections of
// all steps land directly in the output's rows, and each step adds its recurrent product and applies tanh in place.
public partial class Tensor
{
    /// <summary>
    /// Runs <c>h_t = f(x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b)</c> over <paramref name="x"/> <c>[T, B, I]</c> (time major) from
    /// <paramref name="h0"/> <c>[B, H]</c>, f tanh or ReLU (both have derivatives that read the output). Returns h₀ … h_T
    /// as <c>[T + 1, B, H]</c>.
    /// </summary>
    internal static Tensor RnnSequence(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bias, bool relu = false)
    {
        var activation = relu ? UnaryOp.Relu : UnaryOp.Tanh;
        int steps = x.Shape[0], batch = x.Shape[1], inputs = x.Shape[2], hidden = h0.Shape[1], bh = batch * hidden;
        var be = x.Backend;
        var p = Create(Shape.Of([steps + 1, batch, hidden]), x.Device);
        be.CopyBlocks(h0.Buffer, h0.Offset, 0, p.Buffer, p.Offset, 0, bh, 1);
        be.GemmBiasActivation(false, true, steps * batch, hidden, inputs, x.Buffer, x.Offset, inputs, wIh.Buffer, wIh.Offset, inputs,
            bias.Buffer, bias.Offset, UnaryOp.Identity, 0f, p.Buffer, p.Offset + bh);
        for (int t = 0; t < steps; t++)
        {
            int at = p.Offset + (t + 1) * bh;
            be.Gemm(false, true, batch, hidden, hidden, 1f, p.Buffer, p.Offset + t * bh, hidden, 0, wHh.Buffer, wHh.Offset, hidden, 0,
                1f, p.Buffer, at, hidden, 0, 1);
            be.Unary(activation, 0f, p.Buffer, at, p.Buffer, at, bh);
        }
        if (Tape.Active && Tape.Record(p, [x, h0, wIh, wHh, bias], RnnRule) is { } node) node.Int = (int)activation;
        return p;
    }

    private static readonly BackwardRule RnnRule = static (n, g) =>
    {
        var inputs = (IReadOnlyList<Tensor>)n.State!;
        Tensor x = inputs[0], h0 = inputs[1], wIh = inputs[2], wHh = inputs[3], bias = inputs[4];
        Tensor p = n.Output;
        int steps = x.Shape[0], batch = x.Shape[1], hidden = h0.Shape[1], bh = batch * hidden;
        var activation = (UnaryOp)n.Int;
        var be = x.Backend;
        var dPre = Create(Shape.Of([steps, batch, hidden]), x.Device);
        var dh = Create(h0.Shape, x.Device);
        be.CopyBlocks(g.Buffer, g.Offset + steps * bh, 0, dh.Buffer, dh.Offset, 0, bh, 1);
        for (int t = steps - 1; t >= 0; t--)
        {
            int at = p.Offset + (t + 1) * bh, dOff = dPre.Offset + t * bh;
            // f′ from the output: tanh′ = 1 − h², ReLU′ = [h > 0] (h > 0 exactly where the pre-activation is).
            be.UnaryBackward(activation, 0f, p.Buffer, at, p.Buffer, at, dh.Buffer, dh.Offset, dPre.Buffer, dOff, bh);
            be.CopyBlocks(g.Buffer, g.Offset + t * bh, 0, dh.Buffer, dh.Offset, 0, bh, 1);
            be.Gemm(false, false, batch, hidden, hidden, 1f, dPre.Buffer, dOff, hidden, 0, wHh.Buffer, wHh.Offset, hidden, 0,
                1f, dh.Buffer, dh.Offset, hidden, 0, 1);
        }
        Tape.Current!.Accumulate(h0, dh);
        RecurrentWeightGradients(x, dPre, p, hidden, wIh, wHh, bias);
    };
}
