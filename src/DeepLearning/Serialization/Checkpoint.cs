using System.Globalization;

namespace DeepLearning;

/// <summary>
/// A training run saved so that it resumes exactly: <see cref="Save"/> writes the model's parameters and buffers, the
/// optimizer's state and the data order into one safetensors file, and <see cref="Load"/> puts them into freshly built
/// objects of the same architecture, after which training continues bit for bit as if it had never stopped (on the
/// same device and thread count). Used alone or as a <see cref="Callback"/> of <c>Fit</c> (see the constructor).
/// </summary>
/// <remarks>
/// <para>The file: tensors <c>model.&lt;name&gt;</c> (the state-dict names of <see cref="StateDict"/>) and
/// <c>optimizer.&lt;i&gt;.&lt;k&gt;</c> (tensor k of parameter i's <see cref="OptimizerState"/>; an inner rule of an
/// <see cref="OptimizerChain"/> adds <c>.c&lt;j&gt;</c>); <c>__metadata__</c> holds the step counts, the optimizer's
/// <see cref="Optimizer.Iterations"/> and learning rate, each <see cref="Dropout"/>'s mask position, and the
/// <see cref="DataLoader"/>'s seed and <see cref="DataLoader.EpochsStarted"/>.</para>
/// <para>Not stored, because they are code rather than state: the architecture, the rule's hyper-parameters and an
/// <see cref="Optimizer.Schedule"/>. Build them as before; a schedule is a function of <see cref="Optimizer.Iterations"/>,
/// which is restored, so it resumes where it stopped. Nor is the state of <c>Fit</c>'s callbacks: a new <c>Fit</c> counts
/// its epochs from 0 again, so a per-epoch <see cref="LearningRateScheduler"/> restarts its schedule and
/// <see cref="EarlyStopping"/> or <see cref="ReduceLROnPlateau"/> their patience (the learning rate they set is
/// restored); use <see cref="Optimizer.Schedule"/> for a schedule that resumes.</para>
/// </remarks>
/// <example>
/// <code>
/// Checkpoint.Save("run.ckpt.safetensors", model, opt, data);
/// // later, in a new process:
/// var model = Build(); var opt = new Adam(1e-3f).Setup(model); var data = new DataLoader(x, y, 64, shuffle: true, seed: 1);
/// Checkpoint.Load("run.ckpt.safetensors", model, opt, data);
/// </code>
/// </example>
public sealed partial class Checkpoint
{
    private const string Format = "DeepLearning.Checkpoint/1";

    /// <summary>Saves a training run to <paramref name="path"/>, replacing the file atomically (see <see cref="StateDict.Save(Layer, string, IReadOnlyDictionary{string, string}?)"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="model">The model.</param>
    /// <param name="optimizer">The optimizer set up on the model.</param>
    /// <param name="data">The training data loader whose order to resume, if any.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or file is not writable.</exception>
    /// <exception cref="IOException">Writing failed; the old file is untouched.</exception>
    public static void Save(string path, Layer model, Optimizer optimizer, DataLoader? data = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var tensors = StateDict.Tensors(model).Select(t => new KeyValuePair<string, Tensor>("model." + t.Key, t.Value)).ToList();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["optimizer.rule"] = RuleShape(optimizer.Rule),
            ["optimizer.parameters"] = Text(optimizer.Parameters.Count),
            ["optimizer.iterations"] = Text(optimizer.Iterations),
        };
        if (optimizer.HasLearningRate) meta["optimizer.learning_rate"] = optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture);
        for (int i = 0; i < optimizer.States.Count; i++)
            foreach (var (key, state) in States(optimizer.States[i], $"optimizer.{Text(i)}"))
            {
                meta[key + ".step"] = Text(state.Step);
                for (int k = 0; k < state.Tensors.Count; k++) tensors.Add(new($"{key}.{Text(k)}", state.Tensors[k]));
            }
        foreach (var (name, layer) in model.NamedLayers())
            if (layer is Dropout d) meta[$"layer.{name}.dropout_calls"] = Text(d.Calls);
        if (data is not null)
        {
            meta["data.seed"] = data.Seed.ToString(CultureInfo.InvariantCulture);
            meta["data.samples"] = Text(data.Length);
            meta["data.batch_size"] = Text(data.BatchSize);
            meta["data.shuffle"] = data.Shuffle ? "true" : "false";
            meta["data.epochs_started"] = Text(data.EpochsStarted);
        }
        AtomicFile.Write("Checkpoint.Save", path, s => SafeTensorsWriter.Write(s, tensors, meta));
    }

    /// <summary>
    /// Restores a run saved by <see cref="Save"/> into <paramref name="model"/>, <paramref name="optimizer"/> and
    /// <paramref name="data"/>, built as before. Everything is checked before anything changes.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="model">A model of the saved architecture.</param>
    /// <param name="optimizer">An optimizer of the saved rule, set up on <paramref name="model"/>.</param>
    /// <param name="data">The data loader to resume (same samples, batch size, shuffle and seed); null leaves data order alone.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="StateDictMismatchException">The model's or optimizer's tensors differ from the file's (every difference listed).</exception>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint, or was saved for another rule or another data loader.</exception>
    public static void Load(string path, Layer model, Optimizer optimizer, DataLoader? data = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint.Load: '{path}' does not exist", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var header = SafeTensorsHeader.Read(stream, path);
        var meta = header.Metadata;
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw Bad(path, $"is not a checkpoint (format '{format}', expected '{Format}'); for a model's weights alone use model.Load");
        Expect(path, meta, "optimizer.rule", RuleShape(optimizer.Rule), "optimizer rule");
        Expect(path, meta, "optimizer.parameters", Text(optimizer.Parameters.Count), "number of optimized parameters");
        if (data is not null)
        {
            if (!meta.ContainsKey("data.seed")) throw Bad(path, "holds no data order (saved without a DataLoader)");
            Expect(path, meta, "data.seed", data.Seed.ToString(CultureInfo.InvariantCulture), "data loader seed");
            Expect(path, meta, "data.samples", Text(data.Length), "number of samples");
            Expect(path, meta, "data.batch_size", Text(data.BatchSize), "batch size");
            Expect(path, meta, "data.shuffle", data.Shuffle ? "true" : "false", "data loader shuffle");
        }

        var modelTensors = StateDict.Tensors(model);
        var (modelResult, plan) = StateDict.Match(header, modelTensors, "model.");
        var stateTensors = new List<KeyValuePair<string, Tensor>>();
        var steps = new List<(OptimizerState State, int Step)>();
        for (int i = 0; i < optimizer.States.Count; i++)
            foreach (var (key, state) in States(optimizer.States[i], Text(i)))
            {
                steps.Add((state, Int(path, meta, $"optimizer.{key}.step")));
                for (int k = 0; k < state.Tensors.Count; k++) stateTensors.Add(new($"{key}.{Text(k)}", state.Tensors[k]));
            }
        var (stateResult, statePlan) = StateDict.Match(header, stateTensors, "optimizer.");
        if (!modelResult.IsComplete) throw new StateDictMismatchException(path + " (model)", modelResult);
        if (!stateResult.IsComplete) throw new StateDictMismatchException(path + " (optimizer state)", stateResult);
        int iterations = Int(path, meta, "optimizer.iterations");
        float? rate = null;
        if (optimizer.HasLearningRate)
        {
            if (!meta.TryGetValue("optimizer.learning_rate", out var r) || !float.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out float lr) || !float.IsFinite(lr) || lr < 0)
                throw Bad(path, "has no valid optimizer.learning_rate");
            rate = lr;
        }
        var dropouts = new List<(Dropout Layer, long Calls)>();
        foreach (var (name, layer) in model.NamedLayers())
            if (layer is Dropout d) dropouts.Add((d, Long(path, meta, $"layer.{name}.dropout_calls")));
        int epochs = data is null ? 0 : Int(path, meta, "data.epochs_started");

        plan.AddRange(statePlan);
        StateDict.Apply(stream, header, plan);
        foreach (var (state, step) in steps) state.Step = step;
        optimizer.Iterations = iterations;
        // A Schedule owns the rate (setting it would throw): it sets it from the restored Iterations at the next step.
        if (rate is float eta && optimizer.Schedule is null) optimizer.LearningRate = eta;
        foreach (var (layer, calls) in dropouts) layer.Calls = calls;
        if (data is not null) data.EpochsStarted = epochs;
    }

    // A state and its inner rules' states, depth first, each with its key: "<root>", "<root>.c0", "<root>.c0.c1" …
    private static IEnumerable<(string Key, OptimizerState State)> States(OptimizerState state, string key)
    {
        yield return (key, state);
        for (int j = 0; j < state.Children.Count; j++)
            foreach (var inner in States(state.Children[j], $"{key}.c{Text(j)}")) yield return inner;
    }

    // The rule's types, not its hyper-parameters: a resumed run may change the learning rate, not Adam into Momentum.
    private static string RuleShape(OptimizerRule rule) => rule is OptimizerChain chain
        ? $"OptimizerChain({string.Join(", ", chain.Rules.Select(RuleShape))})"
        : rule.GetType().Name;

    private static void Expect(string path, IReadOnlyDictionary<string, string> meta, string key, string expected, string what)
    {
        if (!meta.TryGetValue(key, out var found)) throw Bad(path, $"has no {key}");
        if (found != expected) throw Bad(path, $"was saved with {what} {found}, this run has {expected}");
    }

    private static int Int(string path, IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n
            : throw Bad(path, $"has no valid {key} (a non-negative integer)");

    private static long Long(string path, IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n
            : throw Bad(path, $"has no valid {key} (a non-negative integer)");

    private static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static InvalidDataException Bad(string path, string problem) => new($"Checkpoint.Load: '{path}' {problem}");
}
