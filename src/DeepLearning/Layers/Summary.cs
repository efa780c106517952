using System.Globalization;
using System.Text;

namespace DeepLearning;

// Keras' model.summary(): one row per leaf layer with its output shape and parameter count. Output shapes come from a
// real forward pass on zeros on the model's device (so plain functions in a chain report theirs too), run without recording, in evaluation
// mode so that no running statistic moves, inside a scope so nothing is left allocated.
public abstract partial class Layer
{
    /// <summary>
    /// A table of the architecture, like Keras' <c>model.summary()</c>: each leaf layer with its dotted name, its
    /// description, its output shape and its parameter count, then the totals of parameters and buffers.
    /// </summary>
    /// <param name="inputShape">The shape of an input batch (such as <c>32, 784</c>) to compute output shapes with a
    /// forward pass on zeros; when empty the shape column reads <c>?</c>.</param>
    /// <returns>The table, lines separated by <c>\n</c>.</returns>
    /// <exception cref="ArgumentException">The input shape does not fit the model (the message names the layer).</exception>
    public string Summary(params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var rows = new List<(string Name, string Layer, string Shape, int Params)>();
        using (Temporarily(LayerMode.Test))
        using (TensorScope.Begin())
        using (Autodiff.NoGrad())
        {
            var x = inputShape.Length > 0 ? Tensor.Zeros(new Shape(inputShape), Device) : null;
            AddSummaryRows("", x, rows);
        }

        string[] head = ["Name", "Layer", "Output shape", "Param #"];
        var cells = rows.Select(r => new[] { r.Name.Length == 0 ? "-" : r.Name, r.Layer, r.Shape, r.Params.ToString("N0", CultureInfo.InvariantCulture) }).ToList();
        var width = new int[head.Length];
        foreach (var line in cells.Prepend(head))
            for (int i = 0; i < line.Length; i++) width[i] = Math.Max(width[i], line[i].Length);
        int total = width.Sum() + 2 * (width.Length - 1);
        var sb = new StringBuilder();
        void Line(string[] c) => sb.Append(string.Join("  ", c.Select((s, i) => i == c.Length - 1 ? s.PadLeft(width[i]) : s.PadRight(width[i]))).TrimEnd()).Append('\n');
        Line(head);
        sb.Append(new string('=', total)).Append('\n');
        foreach (var c in cells) Line(c);
        sb.Append(new string('=', total)).Append('\n');
        int buffers = NamedBuffers().Sum(b => b.Value.Length);
        sb.Append(CultureInfo.InvariantCulture, $"Total params: {ParameterCount:N0} (trainable)\n");
        sb.Append(CultureInfo.InvariantCulture, $"Buffers: {buffers:N0} (non-trainable)\n");
        return sb.ToString();
    }

    /// <summary>Adds this layer's rows to a summary and returns its output for <paramref name="input"/> (null: shapes unknown).</summary>
    internal virtual Tensor? AddSummaryRows(string name, Tensor? input, List<(string Name, string Layer, string Shape, int Params)> rows)
    {
        var output = input is null ? null : Forward(input);
        rows.Add((name, ToString(), output is null ? "?" : output.Shape.ToString(), ParameterCount));
        return output;
    }
}
