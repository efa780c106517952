using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

// Memory bookkeeping and the data-movement primitives a training step needs besides the kernels.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public long BytesInUse => Interlocked.Read(ref _bytes);

    /// <inheritdoc/>
    public long BytesReserved => BytesInUse + _pool.Retained * sizeof(float);

    /// <inheritdoc/>
    public void TrimCache() => _pool.Clear();

    /// <summary>Does nothing: every CPU call has finished when it returns.</summary>
    public void Synchronize() { }

    /// <inheritdoc/>
    public void GatherRows(DeviceBuffer x, int xOffset, int rowLength, ReadOnlySpan<int> rows, DeviceBuffer y, int yOffset)
    {
        var s = Cpu(x).Array;
        var d = Cpu(y).Array;
        // One copy per run of consecutive rows: an unshuffled range is a single copy.
        for (int i = 0; i < rows.Length;)
        {
            int start = rows[i], run = 1;
            while (i + run < rows.Length && rows[i + run] == start + run) run++;
            Array.Copy(s, xOffset + (long)start * rowLength, d, yOffset + (long)i * rowLength, (long)run * rowLength);
            i += run;
        }
    }

    /// <inheritdoc/>
    public void AddInPlace(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length)
    {
        var ys = Cpu(y).AsSpan(yOffset, length);
        TensorPrimitives.Add(Cpu(x).AsSpan(xOffset, length), ys, ys);
    }

    /// <inheritdoc/>
    public void Dropout(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length, float p, ulong seed, ulong counter)
    {
        var xs = Cpu(x).AsSpan(xOffset, length);
        var ys = Cpu(y).AsSpan(yOffset, length);
        float scale = 1f / (1f - p), top = MathF.BitDecrement(1f);
        // The same draws as RandomUniform on [0, 1) (one Philox block serves four elements), so the mask equals the
        // composed (u ≥ p)·1/(1 − p) bit for bit.
        ulong index = counter;
        for (int i = 0; i < xs.Length;)
        {
            var (w0, w1, w2, w3) = Philox.Block(seed, index >> 2);
            for (int lane = (int)(index & 3); lane < 4 && i < xs.Length; lane++, i++, index++)
            {
                uint word = lane switch { 0 => w0, 1 => w1, 2 => w2, _ => w3 };
                ys[i] = MathF.Min(Philox.ToUnit(word), top) >= p ? xs[i] * scale : 0f;
            }
        }
    }
}
