using System.Globalization;
using System.Text;

namespace DeepLearning;

public partial class Tensor
{
    private const int PreviewEdge = 3;

    /// <summary>
    /// A preview like NumPy's: the shape and device, then the values nested by dimension, each dimension longer than
    /// six shortened to its first and last three entries with <c>…</c> between.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Name is null ? "Tensor" : $"Tensor '{Name}'").Append(' ').Append(Shape.ToString());
        if (Device != Device.Cpu) sb.Append(" on ").Append(Device.Name);
        if (IsDisposed) return sb.Append(" (released)").ToString();
        sb.Append(": ");
        var values = ToArray();
        if (Rank == 0) sb.Append(Format(values[0]));
        else AppendDim(sb, values, 0, 0);
        return sb.ToString();
    }

    private void AppendDim(StringBuilder sb, float[] values, int dim, int offset)
    {
        int n = Shape[dim];
        int stride = Shape.Product(dim + 1, Rank);
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (n > 2 * PreviewEdge && i == PreviewEdge)
            {
                sb.Append("…, ");
                i = n - PreviewEdge;
            }
            if (dim == Rank - 1) sb.Append(Format(values[offset + i]));
            else AppendDim(sb, values, dim + 1, offset + i * stride);
            if (i < n - 1) sb.Append(", ");
        }
        sb.Append(']');
    }

    private static string Format(float v) => v.ToString("G5", CultureInfo.InvariantCulture);
}
