namespace DeepLearning;

/// <summary>
/// Hooks into <c>Trainer.Fit</c> (Keras's callbacks). Override the events you need; each receives the
/// <see cref="FitContext"/>, through which a callback can read the model, change the learning rate or stop training.
/// </summary>
public abstract class Callback
{
    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainBegin(FitContext context) { }

    /// <summary>Called before each epoch (<see cref="FitContext.Epoch"/> is set).</summary>
    public virtual void OnEpochBegin(FitContext context) { }

    /// <summary>Called after each epoch with its numbers (<c>loss</c>, metrics, <c>val_loss</c> …), already in the history.</summary>
    public virtual void OnEpochEnd(FitContext context, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>Called once after the last epoch (or after a callback stopped training).</summary>
    public virtual void OnTrainEnd(FitContext context) { }
}

/// <summary>The state of a <c>Trainer.Fit</c> run that callbacks see.</summary>
public sealed class FitContext
{
    internal FitContext(Layer model, Optimizer optimizer, History history, int epochs)
    {
        Model = model;
        Optimizer = optimizer;
        History = history;
        Epochs = epochs;
    }

    /// <summary>The model being trained.</summary>
    public Layer Model { get; }

    /// <summary>The optimizer (its learning rate may be changed between epochs).</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The history so far.</summary>
    public History History { get; }

    /// <summary>The current epoch, from 0.</summary>
    public int Epoch { get; internal set; }

    /// <summary>The number of epochs asked for.</summary>
    public int Epochs { get; }

    /// <summary>Set to true to end training after the current epoch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>
    /// Whether this process prints and saves: true except on the ranks other than 0 of data-parallel training
    /// (PyTorch Lightning's <c>is_global_zero</c>). The epoch's numbers a callback receives are already reduced over
    /// all processes, so decisions taken from them (stopping, the learning rate) agree everywhere; a callback that writes
    /// files or the console should do so only when this is true (<see cref="ConsoleProgress"/> and <c>Checkpoint</c> do).
    /// </summary>
    public bool IsMainProcess => Optimizer.Replicas is not { Rank: not 0 };
}

/// <summary>Whether a monitored quantity improves by going down or up.</summary>
public enum MonitorMode
{
    /// <summary>Up for names containing <c>acc</c>, <c>precision</c>, <c>recall</c> or <c>f1</c>; down otherwise (Keras's rule).</summary>
    Auto,
    /// <summary>Lower is better (losses).</summary>
    Min,
    /// <summary>Higher is better (accuracies).</summary>
    Max,
}

/// <summary>Tracks the best value of one logged quantity, shared by <see cref="EarlyStopping"/> and <see cref="ReduceLROnPlateau"/>.</summary>
internal sealed class Monitor
{
    private readonly string _owner;

    public Monitor(string owner, string key, MonitorMode mode, double minDelta)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (!(minDelta >= 0)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, $"{owner}: minDelta must be >= 0, got {minDelta}");
        _owner = owner;
        Key = key;
        MinDelta = minDelta;
        Maximize = mode == MonitorMode.Max || (mode == MonitorMode.Auto &&
            (key.Contains("acc", StringComparison.Ordinal) || key.Contains("precision", StringComparison.Ordinal)
             || key.Contains("recall", StringComparison.Ordinal) || key.Contains("f1", StringComparison.Ordinal)));
        Reset();
    }

    public string Key { get; }
    public double MinDelta { get; }
    public bool Maximize { get; }
    public double Best { get; private set; }

    public void Reset() => Best = Maximize ? double.NegativeInfinity : double.PositiveInfinity;

    public double Read(IReadOnlyDictionary<string, double> logs) => logs.TryGetValue(Key, out double v) ? v
        : throw new InvalidOperationException($"{_owner}: '{Key}' is not among the epoch's numbers (have: {string.Join(", ", logs.Keys)}); {Suggest(Key, logs.Keys)}");

    /// <summary>
    /// The likely fix for a missing key: the nearest key by edit distance (a typo, <c>val_acc</c> for <c>val_accuracy</c>),
    /// or validation data when a <c>val_</c> key is asked for and the epoch has none.
    /// </summary>
    internal static string Suggest(string key, IEnumerable<string> keys)
    {
        const string Val = "val_";
        bool wantsVal = key.StartsWith(Val, StringComparison.Ordinal);
        var candidates = keys.Where(k => k.StartsWith(Val, StringComparison.Ordinal) == wantsVal).ToList();
        if (wantsVal && candidates.Count == 0)
        {
            string plain = key[Val.Length..];
            return $"no validation numbers were logged: pass ValidationData or ValidationSet to Fit, or monitor '{Nearest(plain, keys) ?? "loss"}'";
        }
        return Nearest(key, candidates) is { } near ? $"did you mean '{near}'?" : "monitor one of those keys";
    }

    // Prefix matches first (val_acc → val_accuracy), then the smallest edit distance.
    private static string? Nearest(string key, IEnumerable<string> keys) => keys
        .OrderBy(k => k.StartsWith(key, StringComparison.Ordinal) || key.StartsWith(k, StringComparison.Ordinal) ? 0 : 1)
        .ThenBy(k => Distance(key, k))
        .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    /// <summary>Whether <paramref name="value"/> beats the best by more than minDelta; if so it becomes the best.</summary>
    public bool Improved(double value)
    {
        bool better = Maximize ? value > Best + MinDelta : value < Best - MinDelta;
        if (better) Best = value;
        return better;
    }
}
