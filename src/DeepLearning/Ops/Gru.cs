using DeepLearning.Backends;

namespace DeepLearning;

// A GRU over a whole sequence as one op, organised as the LSTM op (see Lstm.cs). PyTorch's form keeps b_hn inside
// r ⊙ (W_hn·h + b_hn), so the hidden projection with its bias is kept per step for the backward pass.
public partial class Tensor
{
    /// <summary>
    /// Runs a GRU (PyTorch's equations, gate order r, z, n) over <paramref name="x"/> <c>[T, B, I]</c> (time major) from
    /// <paramref name="h0"/> <c>[B, H]</c>. Returns the hidden states h₀ … h_T as <c>[T + 1, B, H]</c>.
    /// </summary>
    internal static Tensor GruSequence(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh)
    {
        int steps = x.Shape[0], batch = x.Shape[1], inputs = x.Shape[2], hidden = h0.Shape[1], g3 = 3 * hidden, bh = batch * hidden;
        var be = x.Backend;
        var xp = Create(Shape.Of([steps, batch, g3]), x.Device);
        var hp = Create(Shape.Of([steps, batch, g3]), x.Device);
        be.GemmBiasActivation(false, true, steps * batch, g3, inputs, x.Buffer, x.Offset, inputs, wIh.Buffer, wIh.Offset, inputs,
            bIh.Buffer, bIh.Offset, UnaryOp.Identity, 0f, xp.Buffer, xp.Offset);
        var p = Create(Shape.Of([steps + 1, batch, hidden]), x.Device);
        be.CopyBlocks(h0.Buffer, h0.Offset, 0, p.Buffer, p.Offset, 0, bh, 1);
        for (int t = 0; t < steps; t++)
        {
            int gOff = t * batch * g3;
            be.GemmBiasActivation(false, true, batch, g3, hidden, p.Buffer, p.Offset + t * bh, hidden, wHh.Buffer, wHh.Offset, hidden,
                bHh.Buffer, bHh.Offset, UnaryOp.Identity, 0f, hp.Buffer, hp.Offset + gOff);
            be.GruCell(batch, hidden, xp.Buffer, xp.Offset + gOff, g3, hp.Buffer, hp.Offset + gOff, g3,
                p.Buffer, p.Offset + t * bh, hidden, p.Buffer, p.Offset + (t + 1) * bh, hidden);
        }
        if (Tape.Active && Tape.Record(p, [x, h0, wIh, wHh, bIh, bHh], GruRule) is { } node)
        {
            node.Saved = xp;
            node.Saved2 = hp;
        }
        return p;
    }

    private static readonly BackwardRule GruRule = static (n, g) =>
    {
        var inputs = (IReadOnlyList<Tensor>)n.State!;
        Tensor x = inputs[0], h0 = inputs[1], wIh = inputs[2], wHh = inputs[3], bIh = inputs[4], bHh = inputs[5];
        Tensor p = n.Output, xp = n.Saved!, hp = n.Saved2!;
        int steps = x.Shape[0], batch = x.Shape[1], hidden = h0.Shape[1], g3 = 3 * hidden, bh = batch * hidden;
        var be = x.Backend;
        var dxp = Create(xp.Shape, x.Device);
        var dhp = Create(hp.Shape, x.Device);
        var dh = Create(h0.Shape, x.Device);
        be.CopyBlocks(g.Buffer, g.Offset + steps * bh, 0, dh.Buffer, dh.Offset, 0, bh, 1);
        ReadOnlySpan<int> rowStrides = [hidden, 1], shape = [batch, hidden];
        for (int t = steps - 1; t >= 0; t--)
        {
            int gOff = t * batch * g3;
            // dh holds the gradient of h_{t+1}; afterwards that of h_t: its direct part z ⊙ dh, the output's gradient
            // at t, and the path through the hidden projection.
            be.GruCellBackward(batch, hidden, xp.Buffer, xp.Offset + gOff, g3, hp.Buffer, hp.Offset + gOff, g3,
                p.Buffer, p.Offset + t * bh, hidden, dh.Buffer, dh.Offset, hidden, dxp.Buffer, dxp.Offset + gOff, g3,
                dhp.Buffer, dhp.Offset + gOff, g3, dh.Buffer, dh.Offset, hidden);
            be.Binary(BinaryOp.Add, dh.Buffer, dh.Offset, rowStrides, g.Buffer, g.Offset + t * bh, rowStrides, dh.Buffer, dh.Offset, shape);
            be.Gemm(false, false, batch, hidden, g3, 1f, dhp.Buffer, dhp.Offset + gOff, g3, 0, wHh.Buffer, wHh.Offset, hidden, 0,
                1f, dh.Buffer, dh.Offset, hidden, 0, 1);
        }
        var tape = Tape.Current!;
        tape.Accumulate(h0, dh);
        RecurrentWeightGradients(x, dxp, p, g3, wIh, null, bIh);
        RecurrentWeightGradients(x, dhp, p, g3, wIh: null, wHh, bHh);
    };
}
