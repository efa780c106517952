using DeepLearning.Backends;

namespace DeepLearning;

// An LSTM over a whole sequence as one op (as cuDNN and PyTorch's fused kernels do): the input projection of every step
// in one GEMM, then per step one GEMM for the recurrent projection of all four gates and one point-wise kernel. The
// backward pass walks the steps in reverse with one GEMM and one kernel per step, then forms the weight gradients and the
// input gradient as three GEMMs over all steps. Time-major inside, so each step's rows are contiguous.
public partial class Tensor
{
    /// <summary>
    /// Runs an LSTM (PyTorch's equations and gate order i, f, g, o) over <paramref name="x"/> <c>[T, B, I]</c> (time
    /// major) from the state (<paramref name="h0"/>, <paramref name="c0"/>) <c>[B, H]</c>. Returns
    /// <c>[2, T + 1, B, H]</c>: entry 0 the hidden states h₀ … h_T, entry 1 the cell states c₀ … c_T.
    /// </summary>
    internal static Tensor LstmSequence(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bias)
    {
        int steps = x.Shape[0], batch = x.Shape[1], inputs = x.Shape[2], hidden = h0.Shape[1], g4 = 4 * hidden;
        var be = x.Backend;
        var gates = Create(Shape.Of([steps, batch, g4]), x.Device);
        be.GemmBiasActivation(false, true, steps * batch, g4, inputs, x.Buffer, x.Offset, inputs, wIh.Buffer, wIh.Offset, inputs,
            bias.Buffer, bias.Offset, UnaryOp.Identity, 0f, gates.Buffer, gates.Offset);
        var p = Create(Shape.Of([2, steps + 1, batch, hidden]), x.Device);
        int bh = batch * hidden, cBase = p.Offset + (steps + 1) * bh;
        be.CopyBlocks(h0.Buffer, h0.Offset, 0, p.Buffer, p.Offset, 0, bh, 1);
        be.CopyBlocks(c0.Buffer, c0.Offset, 0, p.Buffer, cBase, 0, bh, 1);
        for (int t = 0; t < steps; t++)
        {
            int gOff = gates.Offset + t * batch * g4;
            be.Gemm(false, true, batch, g4, hidden, 1f, p.Buffer, p.Offset + t * bh, hidden, 0, wHh.Buffer, wHh.Offset, hidden, 0,
                1f, gates.Buffer, gOff, g4, 0, 1);
            be.LstmCell(batch, hidden, gates.Buffer, gOff, g4, p.Buffer, cBase + t * bh, hidden, p.Buffer, cBase + (t + 1) * bh, hidden,
                p.Buffer, p.Offset + (t + 1) * bh, hidden);
        }
        if (Tape.Active && Tape.Record(p, [x, h0, c0, wIh, wHh, bias], LstmRule) is { } node) node.Saved = gates;
        return p;
    }

    private static readonly BackwardRule LstmRule = static (n, g) =>
    {
        var inputs = (IReadOnlyList<Tensor>)n.State!;
        Tensor x = inputs[0], h0 = inputs[1], c0 = inputs[2], wIh = inputs[3], wHh = inputs[4], bias = inputs[5];
        Tensor p = n.Output, gates = n.Saved!;
        int steps = x.Shape[0], batch = x.Shape[1], hidden = h0.Shape[1], g4 = 4 * hidden, bh = batch * hidden;
        int cBase = p.Offset + (steps + 1) * bh, gc = g.Offset + (steps + 1) * bh;
        var be = x.Backend;
        var dGates = Create(gates.Shape, x.Device);
        var dh = Create(h0.Shape, x.Device);
        var dc = Create(c0.Shape, x.Device);
        be.CopyBlocks(g.Buffer, g.Offset + steps * bh, 0, dh.Buffer, dh.Offset, 0, bh, 1);
        be.CopyBlocks(g.Buffer, gc + steps * bh, 0, dc.Buffer, dc.Offset, 0, bh, 1);
        ReadOnlySpan<int> rowStrides = [hidden, 1], shape = [batch, hidden];
        for (int t = steps - 1; t >= 0; t--)
        {
            int gOff = t * batch * g4;
            // dh, dc hold the gradients of h_{t+1}, c_{t+1}; afterwards those of h_t, c_t.
            be.LstmCellBackward(batch, hidden, gates.Buffer, gates.Offset + gOff, g4, p.Buffer, cBase + t * bh, hidden,
                p.Buffer, cBase + (t + 1) * bh, hidden, dh.Buffer, dh.Offset, hidden, dc.Buffer, dc.Offset, hidden,
                dGates.Buffer, dGates.Offset + gOff, g4, dc.Buffer, dc.Offset, hidden);
            be.Binary(BinaryOp.Add, dc.Buffer, dc.Offset, rowStrides, g.Buffer, gc + t * bh, rowStrides, dc.Buffer, dc.Offset, shape);
            be.CopyBlocks(g.Buffer, g.Offset + t * bh, 0, dh.Buffer, dh.Offset, 0, bh, 1);
            be.Gemm(false, false, batch, hidden, g4, 1f, dGates.Buffer, dGates.Offset + gOff, g4, 0, wHh.Buffer, wHh.Offset, hidden, 0,
                1f, dh.Buffer, dh.Offset, hidden, 0, 1);
        }
        var tape = Tape.Current!;
        tape.Accumulate(h0, dh);
        tape.Accumulate(c0, dc);
        RecurrentWeightGradients(x, dGates, p, g4, wIh, wHh, bias);
    };

    /// <summary>
    /// The gradients every recurrent op shares once the pre-activation gradients <paramref name="dPre"/> <c>[T, B, G]</c>
    /// of all steps are known: <c>dx = dPre·W_ih</c>, <c>dW_ih = dPreᵀ·x</c>, <c>dW_hh = dPreᵀ·h_prev</c> (h₀ … h_{T−1},
    /// the first T entries of <paramref name="states"/>) and <c>db = Σ dPre</c>, each one GEMM or reduction over all steps; a
    /// null weight skips its terms (a GRU calls this once for the input side and once for the hidden side).
    /// </summary>
    private static void RecurrentWeightGradients(Tensor x, Tensor dPre, Tensor states, int gw, Tensor? wIh, Tensor? wHh, Tensor? bias)
    {
        var tape = Tape.Current!;
        int steps = x.Shape[0], batch = x.Shape[1], inputs = x.Shape[2], rows = steps * batch;
        var flat = dPre.Reshape(rows, gw);
        if (wIh is not null)
        {
            if (tape.Tracks(x)) tape.Accumulate(x, Product(flat, wIh, false, false).Reshape(x.Shape));
            if (tape.Tracks(wIh)) tape.Accumulate(wIh, Product(flat, x.Reshape(rows, inputs), true, false));
        }
        if (wHh is not null && tape.Tracks(wHh))
        {
            int hidden = wHh.Shape[1];
            var dW = Create(wHh.Shape, x.Device);
            x.Backend.Gemm(true, false, gw, hidden, rows, 1f, dPre.Buffer, dPre.Offset, gw, 0, states.Buffer, states.Offset, hidden, 0,
                0f, dW.Buffer, dW.Offset, hidden, 0, 1);
            tape.Accumulate(wHh, dW);
        }
        if (bias is not null && tape.Tracks(bias)) tape.Accumulate(bias, Kernels.Reduce(ReduceOp.Sum, flat, 0));
    }
}
