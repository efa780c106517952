namespace DeepLearning;

/// <summary>
/// Saves and loads a model's parameters and buffers in the safetensors format, under PyTorch's state-dict names
/// (<c>0.weight</c>, <c>1.running_mean</c>, as <see cref="Layer.NamedParameters"/> and <see cref="Layer.NamedBuffers"/>
/// name them), so a file written here loads into the same architecture in PyTorch (an <c>nn.Sequential</c> of the
/// same layers) and the other way round.
/// </summary>
/// <remarks>
/// <para>Files: an 8-byte little-endian header length, a JSON header mapping each name to its dtype, shape and byte
/// range, an optional <c>__metadata__</c> map of strings, then the raw little-endian elements. Written as F32; read
/// from F32, F16, BF16 and F64 (converted to float), and integer types.</para>
/// <para>Saving writes a temporary file in the same folder, flushes it to the disk and renames it over the target: a
/// failure at any point leaves the old file as it was. Loading validates the whole header against the file's length
/// before allocating anything, reads every tensor, and only then changes the model, so a bad file changes nothing.
/// Each tensor moves between the device and the host once.</para>
/// </remarks>
/// <example>
/// <code>
/// model.Save("model.safetensors");
/// var copy = BuildModel();                 // the same architecture
/// copy.Load("model.safetensors");          // throws, listing every mismatch, if the file is for another model
/// </code>
/// </example>
public static class StateDict
{
    /// <summary>Writes the parameters and buffers of <paramref name="model"/> to <paramref name="path"/>, replacing it atomically.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The file (conventionally <c>*.safetensors</c>).</param>
    /// <param name="metadata">Strings stored in the header's <c>__metadata__</c> (optional).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file is not writable.</exception>
    /// <exception cref="IOException">Writing failed (a full disk); the old file is untouched.</exception>
    public static void Save(this Layer model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = Tensors(model);
        AtomicFile.Write("Save", path, s => SafeTensorsWriter.Write(s, tensors, metadata));
    }

    /// <summary>Writes the parameters and buffers of <paramref name="model"/> to <paramref name="stream"/> in the safetensors format.</summary>
    public static void Save(this Layer model, Stream stream, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        SafeTensorsWriter.Write(stream, Tensors(model), metadata);
    }

    /// <summary>
    /// Overwrites the parameters and buffers of <paramref name="model"/> with the tensors of the safetensors file at
    /// <paramref name="path"/>, matched by name, converted to float.
    /// </summary>
    /// <param name="model">The model (any device).</param>
    /// <param name="path">The file.</param>
    /// <param name="strict">
    /// When true (the default) every tensor of the model must be in the file with its shape, and the file must hold
    /// nothing else, or nothing is loaded and a <see cref="StateDictMismatchException"/> lists every difference. When
    /// false, what fits is loaded and the rest is returned.
    /// </param>
    /// <returns>What was not loaded (empty lists after a strict load).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="StateDictMismatchException">Strict, and the file does not fit the model (names, expected and found shapes).</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors (truncated, malformed header, bad offsets …); the message names the file and the problem.</exception>
    public static LoadResult Load(this Layer model, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Load: '{path}' does not exist", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(model, stream, strict, path);
    }

    /// <summary>As <see cref="Load(Layer, string, bool)"/>, from a readable, seekable stream.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stream">The safetensors bytes (read from position 0).</param>
    /// <param name="strict">See <see cref="Load(Layer, string, bool)"/>.</param>
    /// <param name="source">A name for the stream in messages.</param>
    /// <exception cref="ArgumentException">The stream cannot read or seek.</exception>
    /// <exception cref="StateDictMismatchException">Strict, and the file does not fit the model.</exception>
    /// <exception cref="InvalidDataException">The bytes are not valid safetensors.</exception>
    public static LoadResult Load(this Layer model, Stream stream, bool strict = true, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        var header = SafeTensorsHeader.Read(stream, source);
        var (result, plan) = Match(header, Tensors(model), "", IgnoredNames(model));
        if (strict && !result.IsComplete) throw new StateDictMismatchException(source, result);
        Apply(stream, header, plan);
        return result;
    }

    /// <summary>The model's tensors to save, parameters then buffers, by state-dict name.</summary>
    internal static List<KeyValuePair<string, Tensor>> Tensors(Layer model) =>
        [.. model.NamedParameters().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)), .. model.NamedBuffers()];

    /// <summary>
    /// Pairs the file's tensors under <paramref name="prefix"/> with <paramref name="targets"/>; returns what does not
    /// fit and what to copy. Tensors outside the prefix are not this caller's business and are not reported.
    /// </summary>
    internal static (LoadResult Result, List<(SafeTensorEntry Entry, Tensor Target)> Plan) Match(SafeTensorsHeader header,
        IReadOnlyList<KeyValuePair<string, Tensor>> targets, string prefix, ISet<string>? ignorable = null)
    {
        var missing = new List<string>();
        var mismatched = new List<ShapeMismatch>();
        var plan = new List<(SafeTensorEntry, Tensor)>();
        var shapes = new Dictionary<string, Shape>(StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in targets)
        {
            wanted.Add(name);
            if (!header.ByName.TryGetValue(prefix + name, out var entry))
            {
                missing.Add(name);
                shapes[name] = tensor.Shape;
            }
            else if (entry.Shape != tensor.Shape) mismatched.Add(new ShapeMismatch(name, tensor.Shape, entry.Shape));
            else plan.Add((entry, tensor));
        }
        var unexpected = new List<string>();
        var ignored = new List<string>();
        foreach (var entry in header.Entries)
        {
            if (!entry.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string name = entry.Name[prefix.Length..];
            if (wanted.Contains(name)) continue;
            if (ignorable?.Contains(name) == true)
            {
                ignored.Add(name);
                continue;
            }
            unexpected.Add(name);
            shapes[name] = entry.Shape;
        }
        return (new LoadResult(missing, unexpected, mismatched, ignored, shapes), plan);
    }

    /// <summary>Reads every planned tensor to the host, then copies all into their targets: a read failure changes nothing.</summary>
    internal static void Apply(Stream stream, SafeTensorsHeader header, List<(SafeTensorEntry Entry, Tensor Target)> plan)
    {
        var values = new float[plan.Count][];
        for (int i = 0; i < plan.Count; i++)
        {
            values[i] = new float[plan[i].Target.Length];
            header.ReadTensor(stream, plan[i].Entry, values[i]);
        }
        for (int i = 0; i < plan.Count; i++) plan[i].Target.CopyFrom(values[i]);
    }

    // PyTorch's BatchNorm keeps a num_batches_tracked counter beside its running statistics; it only matters for
    // momentum=None (a cumulative average), which this library does not offer, so a torch file's counters are skipped.
    private static HashSet<string> IgnoredNames(Layer model)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, layer) in model.NamedLayers())
            if (layer is BatchNorm) names.Add(path.Length == 0 ? "num_batches_tracked" : path + ".num_batches_tracked");
        return names;
    }
}
