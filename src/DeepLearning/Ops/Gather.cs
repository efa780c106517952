namespace DeepLearning;

// Row gathering for data pipelines (a DataLoader's shuffled batch, a train/test split): copies just the chosen
// entries of the first axis in one backend call, so a batch never copies the data set.
public partial class Tensor
{
    /// <summary>
    /// A new tensor of shape <c>[rows.Length, …]</c> whose entry i is entry <c>rows[i]</c> of this tensor's first axis
    /// (PyTorch's <c>index_select(0, rows)</c>). Not recorded on the tape: it prepares data, it is not a model op.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor is a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the first axis; the message names it and its position.</exception>
    internal Tensor GatherRows(ReadOnlySpan<int> rows)
    {
        if (Rank == 0) throw new InvalidOperationException("GatherRows: a scalar has no rows");
        int n = Shape[0];
        for (int i = 0; i < rows.Length; i++)
            if ((uint)rows[i] >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(rows), $"GatherRows: index {rows[i]} at position {i} is outside the first axis of {Describe()}");
        var y = Create(Shape.WithDim(0, rows.Length), Device);
        Backend.GatherRows(Buffer, Offset, Shape.Product(1, Rank), rows, y.Buffer, y.Offset);
        return y;
    }
}
