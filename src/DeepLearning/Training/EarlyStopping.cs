namespace DeepLearning;

/// <summary>
/// Stops <c>Trainer.Fit</c> when a monitored quantity has not improved for <c>patience</c> epochs (Keras's
/// <c>EarlyStopping</c>): an epoch improves when it beats the best so far by more than <c>minDelta</c>. With
/// <c>restoreBestWeights</c>, the parameters and buffers (running statistics) of the best epoch are copied back when training ends.
/// </summary>
/// <param name="monitor">The key to watch (<c>val_loss</c>, <c>loss</c>, <c>val_accuracy</c> …).</param>
/// <param name="patience">Stop after this many epochs in a row without improvement (Keras: 0 and 1 both stop at the first).</param>
/// <param name="minDelta">The least change that counts as an improvement.</param>
/// <param name="mode">Whether lower or higher is better.</param>
/// <param name="restoreBestWeights">Restore the best epoch's parameters and buffers at the end (Keras's default is false).</param>
/// <exception cref="ArgumentOutOfRangeException">Patience or minDelta is negative.</exception>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0, MonitorMode mode = MonitorMode.Auto,
    bool restoreBestWeights = false) : Callback
{
    private readonly Monitor _monitor = new("EarlyStopping", monitor, mode, minDelta);
    private readonly int _patience = patience >= 0 ? patience
        : throw new ArgumentOutOfRangeException(nameof(patience), patience, $"EarlyStopping: patience must be >= 0, got {patience}");
    private Parameter[]? _best;
    private int _wait;

    /// <summary>The epoch (from 0) with the best value, or −1 before any.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>The best value seen.</summary>
    public double Best => _monitor.Best;

    /// <summary>The epoch (from 0) after which training stopped, or −1 if it ran to the end.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin(FitContext context)
    {
        _monitor.Reset();
        _wait = 0;
        BestEpoch = StoppedEpoch = -1;
        _best = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(FitContext context, IReadOnlyDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(context);
        double value = _monitor.Read(logs);
        if (_monitor.Improved(value))
        {
            BestEpoch = context.Epoch;
            _wait = 0;
            if (restoreBestWeights) Snapshot(context.Model);
            return;
        }
        if (++_wait >= _patience)
        {
            StoppedEpoch = context.Epoch;
            context.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(FitContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!restoreBestWeights || _best is null) return;
        var state = State(context.Model);
        for (int i = 0; i < state.Count; i++) Tensor.UpdateInPlace(state[i], _best[i]);
    }

    // Buffers too (BatchNorm's running statistics), as Keras restores non-trainable weights: the best epoch's
    // parameters with the last epoch's statistics would evaluate as neither.
    private static List<Tensor> State(Layer model) =>
        [.. model.Parameters(), .. model.NamedBuffers().Select(b => b.Value)];

    private void Snapshot(Layer model)
    {
        var state = State(model);
        // Copies are Parameters because those belong to no scope; they are reused on later improvements.
        if (_best is null || _best.Length != state.Count) _best = [.. state.Select(t => new Parameter(t))];
        else for (int i = 0; i < state.Count; i++) _best[i].Assign(state[i]);
    }
}
