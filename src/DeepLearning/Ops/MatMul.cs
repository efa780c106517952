namespace DeepLearning;

// Matrix products through the backend's GEMM. Transposes are flags, never copies: the gradient of
// C = op(A)·op(B) is two more GEMMs with the flags rearranged.
public partial class Tensor
{
    /// <summary>
    /// Matrix product: <c>[m, k] · [k, n] → [m, n]</c>; batched <c>[b, m, k] · [b, k, n] → [b, m, n]</c>; and
    /// <c>[b, m, k] · [k, n] → [b, m, n]</c> (the matrix applied to every batch entry).
    /// </summary>
    /// <exception cref="ArgumentException">Ranks other than these, inner dimensions that differ, or batch sizes that differ.</exception>
    public Tensor MatMul(Tensor other) => MatMul(this, other, false, false);

    /// <summary>
    /// <c>op(a) · op(b)</c> where op transposes the last two axes when its flag is set, without copying:
    /// <c>MatMul(x, w, transposeB: true)</c> is <c>x·wᵀ</c>, the product of a Dense layer.
    /// </summary>
    /// <exception cref="ArgumentException">The ranks, inner dimensions or batch sizes do not fit.</exception>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Kernels.SameDevice("MatMul", a, b);
        if (a.Rank == 3 && b.Rank == 2 && !transposeA)
        {
            // A matrix applied to each batch entry is one GEMM over the flattened batch.
            int bm = a.Shape[0], m = a.Shape[1];
            return MatMul(a.Reshape(bm * m, a.Shape[2]), b, false, transposeB).Reshape(bm, m, transposeB ? b.Shape[0] : b.Shape[1]);
        }
        var y = Product(a, b, transposeA, transposeB);
        var node = Tape.Record(y, a, b, MatMulRule);
        if (node is not null) node.Int = (transposeA ? 1 : 0) | (transposeB ? 2 : 0);
        return y;
    }

    /// <summary>The forward product, unrecorded; validates shapes.</summary>
    internal static Tensor Product(Tensor a, Tensor b, bool ta, bool tb)
    {
        bool batched = a.Rank == 3 && b.Rank == 3;
        if (!batched && (a.Rank != 2 || b.Rank != 2))
            throw new ArgumentException($"MatMul: expects 2-D · 2-D, 3-D · 3-D or 3-D · 2-D tensors, got {a.Shape} · {b.Shape}");
        int r = a.Rank;
        int batch = batched ? a.Shape[0] : 1;
        if (batched && b.Shape[0] != batch)
            throw new ArgumentException($"MatMul: batch sizes differ: {a.Shape} · {b.Shape}");
        int ar = a.Shape[r - 2], ac = a.Shape[r - 1], br = b.Shape[r - 2], bc = b.Shape[r - 1];
        int m = ta ? ac : ar, k = ta ? ar : ac, kb = tb ? bc : br, n = tb ? br : bc;
        if (k != kb)
        {
            string Show(Shape s, bool t) => t ? $"{s}ᵀ" : s.ToString();
            throw new ArgumentException($"MatMul: inner dimensions differ: {Show(a.Shape, ta)} · {Show(b.Shape, tb)}");
        }
        var y = Create(batched ? Shape.Of([batch, m, n]) : Shape.Of(m, n), a.Device);
        a.Backend.Gemm(ta, tb, m, n, k, 1f,
            a.Buffer, a.Offset, ac, (long)ar * ac,
            b.Buffer, b.Offset, bc, (long)br * bc,
            0f, y.Buffer, y.Offset, n, (long)m * n, batch);
        return y;
    }

    // C = op(A)·op(B):  no flags: dA = G·Bᵀ,  dB = Aᵀ·G;   B transposed: dA = G·B,  dB = Gᵀ·A;
    //                   A transposed: dA = B·Gᵀ, dB = A·G;  both:          dA = Bᵀ·Gᵀ, dB = Gᵀ·Aᵀ.
    private static readonly BackwardRule MatMulRule = static (n, g) =>
    {
        bool ta = (n.Int & 1) != 0, tb = (n.Int & 2) != 0;
        Tensor a = n.A, b = n.B!;
        if (n.NeedsA) n.AddToA(ta ? Product(b, g, tb, true) : Product(g, b, false, !tb));
        if (n.NeedsB) n.AddToB(tb ? Product(g, a, true, ta) : Product(a, g, !ta, false));
    };
}
