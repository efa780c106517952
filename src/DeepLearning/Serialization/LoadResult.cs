using System.Text;

namespace DeepLearning;

/// <summary>A tensor whose shape in a file differs from the model's.</summary>
/// <param name="Name">The state-dict name (<c>0.weight</c>).</param>
/// <param name="Expected">The model's shape.</param>
/// <param name="Found">The file's shape.</param>
public readonly record struct ShapeMismatch(string Name, Shape Expected, Shape Found);

/// <summary>
/// What <see cref="StateDict.Load(Layer, string, bool)"/> did not load: the model's tensors the file lacks, the file's
/// tensors the model lacks, and those of a different shape. Empty lists mean every tensor was loaded.
/// </summary>
public sealed class LoadResult
{
    private readonly IReadOnlyDictionary<string, Shape> _shapes;

    internal LoadResult(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<ShapeMismatch> mismatched, IReadOnlyList<string> ignored,
        IReadOnlyDictionary<string, Shape> shapes)
    {
        _shapes = shapes;
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
        Ignored = ignored;
    }

    /// <summary>The model's parameters and buffers that the file does not hold (left unchanged).</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>The file's tensors that name nothing in the model (skipped).</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Tensors present in both with different shapes (left unchanged).</summary>
    public IReadOnlyList<ShapeMismatch> Mismatched { get; }

    /// <summary>
    /// The file's tensors skipped by design, not by mismatch: PyTorch's <c>num_batches_tracked</c> counters of a
    /// <see cref="BatchNorm"/> (this library's momentum is always a fixed fraction, so the counter has no use here).
    /// </summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>Whether every tensor of the model was loaded and the file held nothing else (ignored ones aside).</summary>
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>
    /// Every mismatch, one per line: <c>missing 2.weight: model [3, 8], not in the file</c>, <c>unexpected 5.bias: file [3],
    /// not in the model</c>, <c>shape 0.weight: model [8, 4], file [8, 5]</c>.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var m in Missing) text.Append("missing ").Append(m).Append(": model ").Append(ShapeOf(m)).AppendLine(", not in the file");
        foreach (var u in Unexpected) text.Append("unexpected ").Append(u).Append(": file ").Append(ShapeOf(u)).AppendLine(", not in the model");
        foreach (var s in Mismatched) text.Append("shape ").Append(s.Name).Append(": model ").Append(s.Expected).Append(", file ").Append(s.Found).AppendLine();
        return text.ToString().TrimEnd();
    }

    private string ShapeOf(string name) => _shapes.TryGetValue(name, out var s) ? s.ToString() : "?";
}

/// <summary>
/// A file's tensors do not fit the model (strict <see cref="StateDict.Load(Layer, string, bool)"/>): the message and
/// <see cref="Result"/> list every missing, unexpected and mis-shaped tensor at once. The model is left unchanged.
/// </summary>
public sealed class StateDictMismatchException : Exception
{
    /// <summary>Creates the exception for the tensors of <paramref name="source"/> listed in <paramref name="result"/>.</summary>
    public StateDictMismatchException(string source, LoadResult result)
        : base($"Load: '{source}' does not fit the model ({Count(result)}); nothing was loaded:{Environment.NewLine}{result}")
    {
        Result = result;
    }

    /// <summary>What did not fit.</summary>
    public LoadResult Result { get; }

    private static string Count(LoadResult r) =>
        $"{r?.Missing.Count} missing, {r?.Unexpected.Count} unexpected, {r?.Mismatched.Count} of another shape";
}
