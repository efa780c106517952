using System.Globalization;
using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

// Embedding lookup and its gradient (see IBackend.Sequence.cs): rows copied and added with TensorPrimitives; an id that
// is not an integer in [0, vocab) throws, naming it and its position.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void EmbeddingLookup(DeviceBuffer table, int tableOffset, int vocab, int dim,
        DeviceBuffer indices, int indicesOffset, int count, DeviceBuffer y, int yOffset)
    {
        var t = Cpu(table).AsSpan(tableOffset, vocab * dim);
        var ix = Cpu(indices).AsSpan(indicesOffset, count);
        var o = Cpu(y).AsSpan(yOffset, count * dim);
        for (int i = 0; i < count; i++)
            t.Slice(CheckIndex(ix[i], i, vocab) * dim, dim).CopyTo(o.Slice(i * dim, dim));
    }

    /// <inheritdoc/>
    public void EmbeddingBackward(DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, int count,
        DeviceBuffer dTable, int dTableOffset, int vocab, int dim)
    {
        var g = Cpu(dy).AsSpan(dyOffset, count * dim);
        var ix = Cpu(indices).AsSpan(indicesOffset, count);
        var d = Cpu(dTable).AsSpan(dTableOffset, vocab * dim);
        d.Clear();
        // Sequential, so repeated indices accumulate in a fixed order (deterministic sums).
        for (int i = 0; i < count; i++)
        {
            var row = d.Slice(CheckIndex(ix[i], i, vocab) * dim, dim);
            TensorPrimitives.Add(row, g.Slice(i * dim, dim), row);
        }
    }

    private static int CheckIndex(float value, int position, int vocab)
    {
        int k = (int)value;
        if (k != value || (uint)k >= (uint)vocab)
            throw new ArgumentOutOfRangeException("indices", string.Create(CultureInfo.InvariantCulture,
                $"index {value} at position {position} is outside the vocabulary of size {vocab} (valid: integers 0 … {vocab - 1})"));
        return k;
    }
}
