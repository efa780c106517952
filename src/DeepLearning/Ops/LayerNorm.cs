namespace DeepLearning;

// Layer normalisation over the last axis as one op with a hand-written rule: composed it would record ~8 nodes and keep
// their intermediates; the fused kernels need only the row means and reciprocal deviations.
public partial class Tensor
{
    /// <summary>
    /// Layer normalisation over the last axis (PyTorch's <c>F.layer_norm(x, [d], weight, bias, eps)</c>): per row,
    /// <c>y = γ ⊙ (x − μ) / √(σ² + ε) + β</c> with the row's mean μ and biased variance σ².
    /// </summary>
    /// <param name="x">Input <c>[…, d]</c>.</param>
    /// <param name="weight">Scale γ <c>[d]</c>.</param>
    /// <param name="bias">Shift β <c>[d]</c>.</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <exception cref="ArgumentException">The input is a scalar or γ, β are not <c>[d]</c>.</exception>
    public static Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias, float epsilon = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        Kernels.SameDevice("LayerNorm", x, weight);
        Kernels.SameDevice("LayerNorm", x, bias);
        if (x.Rank == 0 || x.Shape[-1] == 0) throw new ArgumentException($"LayerNorm: input {x.Shape} needs a non-empty last axis", nameof(x));
        int cols = x.Shape[-1], rows = x.Length / cols;
        var d = new Shape(cols);
        if (weight.Shape != d || bias.Shape != d)
            throw new ArgumentException($"LayerNorm: weight {weight.Shape} and bias {bias.Shape} must both be {d} for input {x.Shape}");
        var y = Create(x.Shape, x.Device);
        var mean = Create(new Shape(rows), x.Device);
        var rstd = Create(new Shape(rows), x.Device);
        x.Backend.LayerNorm(x.Buffer, x.Offset, weight.Buffer, weight.Offset, bias.Buffer, bias.Offset, y.Buffer, y.Offset,
            mean.Buffer, mean.Offset, rstd.Buffer, rstd.Offset, rows, cols, epsilon);
        if (Tape.Record(y, x, weight, bias, LayerNormRule) is { } node)
        {
            node.Saved = mean;
            node.Saved2 = rstd;
        }
        return y;
    }

    private static readonly BackwardRule LayerNormRule = static (n, g) =>
    {
        Tensor x = n.A, weight = n.B!, bias = n.C!, mean = n.Saved!, rstd = n.Saved2!;
        int cols = x.Shape[-1], rows = x.Length / cols;
        var dx = Create(x.Shape, x.Device);
        var dw = Create(weight.Shape, x.Device);
        var db = Create(bias.Shape, x.Device);
        x.Backend.LayerNormBackward(x.Buffer, x.Offset, weight.Buffer, weight.Offset, mean.Buffer, mean.Offset, rstd.Buffer, rstd.Offset,
            g.Buffer, g.Offset, dx.Buffer, dx.Offset, dw.Buffer, dw.Offset, db.Buffer, db.Offset, rows, cols);
        var tape = Tape.Current!;
        tape.Accumulate(x, dx);
        tape.Accumulate(weight, dw);
        tape.Accumulate(bias, db);
    };
}
