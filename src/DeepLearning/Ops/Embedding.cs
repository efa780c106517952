namespace DeepLearning;

// Embedding lookup as one op: a row gather forward, a scatter-add backward (an index used twice gets both rows'
// gradients). Composed as one-hot · table it would cost a [count, vocab] matrix and a GEMM.
public partial class Tensor
{
    /// <summary>
    /// Rows of <paramref name="table"/> <c>[vocab, dim]</c> picked by <paramref name="indices"/> (any shape, integer
    /// values stored as floats): the result has shape <c>indices.Shape + [dim]</c> (PyTorch's <c>F.embedding</c>).
    /// The gradient reaches <paramref name="table"/> only.
    /// </summary>
    /// <exception cref="ArgumentException">The table is not 2-D, or the tensors are on different devices.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is not an integer in [0, vocab); the message names the
    /// index, its position (flat, row-major) and the vocabulary size.</exception>
    public static Tensor Embedding(Tensor indices, Tensor table) => Embedding(indices, table, "Embedding");

    internal static Tensor Embedding(Tensor indices, Tensor table, string name)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(table);
        Kernels.SameDevice(name, indices, table);
        if (table.Rank != 2) throw new ArgumentException($"{name}: the table must be [vocab, dim], got {table.Shape}", nameof(table));
        int vocab = table.Shape[0], dim = table.Shape[1];
        var dims = new int[indices.Rank + 1];
        indices.Shape.Dims.CopyTo(dims);
        dims[^1] = dim;
        var y = Create(new Shape(dims), table.Device);
        try
        {
            table.Backend.EmbeddingLookup(table.Buffer, table.Offset, vocab, dim, indices.Buffer, indices.Offset, indices.Length, y.Buffer, y.Offset);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentOutOfRangeException($"{name}: {e.Message.Split(" (Parameter", 2)[0]} (indices {indices.Shape})", e);
        }
        Tape.Record(y, table, indices, EmbeddingRule);
        return y;
    }

    private static readonly BackwardRule EmbeddingRule = static (n, g) =>
    {
        Tensor table = n.A, indices = n.B!;
        if (!n.NeedsA) return;
        var d = Create(table.Shape, table.Device);
        table.Backend.EmbeddingBackward(g.Buffer, g.Offset, indices.Buffer, indices.Offset, indices.Length, d.Buffer, d.Offset, table.Shape[0], table.Shape[1]);
        n.AddToA(d);
    };
}
