using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Reduce(ReduceOp op, DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset)
    {
        var xs = Cpu(x).Array;
        var ys = Cpu(y).Array;
        for (int o = 0; o < outer; o++)
        {
            var dst = ys.AsSpan(yOffset + o * inner, inner);
            int src = xOffset + o * axis * inner;
            if (axis == 0)
            {
                dst.Fill(op == ReduceOp.Sum ? 0f : float.NaN);
                continue;
            }
            if (inner == 1)
            {
                ReadOnlySpan<float> row = xs.AsSpan(src, axis);
                dst[0] = op switch
                {
                    ReduceOp.Sum => TensorPrimitives.Sum(row),
                    ReduceOp.Mean => TensorPrimitives.Sum(row) / axis,
                    ReduceOp.Max => TensorPrimitives.Max(row),
                    _ => TensorPrimitives.Min(row),
                };
                continue;
            }
            // Strided axis: accumulate whole rows of `inner` elements at a time so the loop stays vectorised.
            xs.AsSpan(src, inner).CopyTo(dst);
            for (int j = 1; j < axis; j++)
            {
                ReadOnlySpan<float> row = xs.AsSpan(src + j * inner, inner);
                switch (op)
                {
                    case ReduceOp.Sum: case ReduceOp.Mean: TensorPrimitives.Add(dst, row, dst); break;
                    case ReduceOp.Max: TensorPrimitives.Max(dst, row, dst); break;
                    default: TensorPrimitives.Min(dst, row, dst); break;
                }
            }
            if (op == ReduceOp.Mean) TensorPrimitives.Multiply(dst, 1f / axis, dst);
        }
    }

    /// <inheritdoc/>
    public void ArgMax(DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset)
    {
        var xs = Cpu(x).Array;
        var ys = Cpu(y).Array;
        for (int o = 0; o < outer; o++)
        {
            int src = xOffset + o * axis * inner;
            for (int i = 0; i < inner; i++)
            {
                if (inner == 1)
                {
                    ys[yOffset + o] = axis == 0 ? -1 : TensorPrimitives.IndexOfMax(xs.AsSpan(src, axis));
                    break;
                }
                int best = axis == 0 ? -1 : 0;
                for (int j = 1; j < axis; j++)
                {
                    float v = xs[src + j * inner + i], m = xs[src + best * inner + i];
                    // NaN is the maximum, as in NumPy: the first NaN wins.
                    if (!float.IsNaN(m) && (v > m || float.IsNaN(v))) best = j;
                }
                ys[yOffset + o * inner + i] = best;
            }
        }
    }
}
