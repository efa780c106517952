namespace DeepLearning;

// Matrix products over stacks of matrices whose leading axes broadcast as NumPy's matmul does ([B, h, T, d] · [B, h, d, S],
// or a [T, d] matrix against every entry of [B, T', T]). One batched GEMM call: an operand without leading axes is read
// with batch stride 0; only an operand broadcast along some but not all leading axes is copied out first.
public partial class Tensor
{
    /// <summary>
    /// <c>op(a) · op(b)</c> over the last two axes, the leading axes broadcast (NumPy's and PyTorch's <c>matmul</c>):
    /// <c>[…, m, k] · […, k, n] → [broadcast(…), m, n]</c>. op transposes the last two axes when its flag is set,
    /// without copying.
    /// </summary>
    /// <exception cref="ArgumentException">An operand has fewer than two axes, the inner dimensions differ, or the
    /// leading axes do not broadcast.</exception>
    public static Tensor BatchedMatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false) =>
        BatchedMatMul(a, b, transposeA, transposeB, 1f);

    /// <summary>
    /// <c>α·op(a)·op(b)</c>: the scale rides in the GEMM (attention's 1/√d), saving a pass over the product and its gradient.
    /// </summary>
    internal static Tensor BatchedMatMul(Tensor a, Tensor b, bool transposeA, bool transposeB, float alpha)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Kernels.SameDevice("BatchedMatMul", a, b);
        var y = BroadcastProduct(a, b, transposeA, transposeB, alpha);
        if (Tape.Record(y, a, b, BatchedMatMulRule) is { } node)
        {
            node.Int = (transposeA ? 1 : 0) | (transposeB ? 2 : 0);
            node.Alpha = alpha;
        }
        return y;
    }

    /// <summary>The forward product <c>α·op(a)·op(b)</c>, unrecorded; validates shapes.</summary>
    private static Tensor BroadcastProduct(Tensor a, Tensor b, bool ta, bool tb, float alpha = 1f)
    {
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"BatchedMatMul: operands need at least two axes, got {a.Shape} · {b.Shape}");
        int ar = a.Shape[-2], ac = a.Shape[-1], br = b.Shape[-2], bc = b.Shape[-1];
        int m = ta ? ac : ar, k = ta ? ar : ac, kb = tb ? bc : br, n = tb ? br : bc;
        if (k != kb)
            throw new ArgumentException($"BatchedMatMul: inner dimensions differ: {a.Shape}{(ta ? "ᵀ" : "")} · {b.Shape}{(tb ? "ᵀ" : "")}");
        var leadA = Shape.Of(a.Shape.Dims[..^2]);
        var leadB = Shape.Of(b.Shape.Dims[..^2]);
        var lead = Shape.Broadcast(leadA, leadB, "BatchedMatMul");
        int batch = lead.Length;
        var (ao, sa) = Operand(a, leadA, lead, ar, ac);
        var (bo, sb) = Operand(b, leadB, lead, br, bc);
        var dims = new int[lead.Rank + 2];
        lead.Dims.CopyTo(dims);
        dims[^2] = m;
        dims[^1] = n;
        var y = Create(new Shape(dims), a.Device);
        a.Backend.Gemm(ta, tb, m, n, k, alpha, ao.Buffer, ao.Offset, ac, sa, bo.Buffer, bo.Offset, bc, sb,
            0f, y.Buffer, y.Offset, n, (long)m * n, batch);
        return y;
    }

    /// <summary>An operand as a stack of <c>lead.Length</c> matrices and its batch stride (0 when it has no leading axes).</summary>
    private static (Tensor T, long Stride) Operand(Tensor t, Shape own, Shape lead, int rows, int cols)
    {
        if (own.Length == 1) return (t, 0);
        if (own == lead) return (t, (long)rows * cols);
        var dims = new int[lead.Rank + 2];
        lead.Dims.CopyTo(dims);
        dims[^2] = rows;
        dims[^1] = cols;
        return (Kernels.Expand(t, new Shape(dims)), (long)rows * cols);
    }

    // As MatMulRule, the products batched and broadcast (scaled by α), then summed back over the axes an operand was
    // broadcast along.
    private static readonly BackwardRule BatchedMatMulRule = static (n, g) =>
    {
        bool ta = (n.Int & 1) != 0, tb = (n.Int & 2) != 0;
        Tensor a = n.A, b = n.B!;
        float s = n.Alpha;
        if (n.NeedsA) n.AddToA(Kernels.Unbroadcast(ta ? BroadcastProduct(b, g, tb, true, s) : BroadcastProduct(g, b, false, !tb, s), a.Shape));
        if (n.NeedsB) n.AddToB(Kernels.Unbroadcast(tb ? BroadcastProduct(g, a, true, ta, s) : BroadcastProduct(a, g, !ta, false, s), b.Shape));
    };
}
