namespace DeepLearning;

/// <summary>Sets the learning rate at the start of each epoch from a schedule of the epoch (Keras's <c>LearningRateScheduler</c>).</summary>
/// <param name="schedule">The rate by epoch (from 0).</param>
/// <exception cref="ArgumentNullException">The schedule is null.</exception>
public sealed class LearningRateScheduler(LearningRateSchedule schedule) : Callback
{
    private readonly LearningRateSchedule _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <summary>A scheduler from a function of the epoch.</summary>
    /// <exception cref="ArgumentNullException">The function is null.</exception>
    public LearningRateScheduler(Func<int, float> schedule) : this(LearningRateSchedule.FromFunction(schedule)) { }

    /// <inheritdoc/>
    public override void OnEpochBegin(FitContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Optimizer.LearningRate = _schedule.At(context.Epoch);
    }
}

/// <summary>
/// Multiplies the learning rate by <c>factor</c> when a monitored quantity has not improved (by more than
/// <c>minDelta</c>) for <c>patience</c> epochs, then waits <c>cooldown</c> epochs before counting again; never below
/// <c>minLearningRate</c> (Keras's <c>ReduceLROnPlateau</c>).
/// </summary>
/// <param name="monitor">The key to watch.</param>
/// <param name="factor">The factor in (0, 1).</param>
/// <param name="patience">Epochs without improvement before reducing.</param>
/// <param name="minDelta">The least change that counts as an improvement.</param>
/// <param name="cooldown">Epochs after a reduction during which no count is kept.</param>
/// <param name="minLearningRate">The floor.</param>
/// <param name="mode">Whether lower or higher is better.</param>
/// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
public sealed class ReduceLROnPlateau(string monitor = "val_loss", float factor = 0.1f, int patience = 10, double minDelta = 1e-4,
    int cooldown = 0, float minLearningRate = 0f, MonitorMode mode = MonitorMode.Auto) : Callback
{
    private readonly Monitor _monitor = new("ReduceLROnPlateau", monitor, mode, minDelta);
    private readonly float _factor = factor > 0 && factor < 1 ? factor
        : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"ReduceLROnPlateau: factor must be in (0, 1), got {factor}");
    private readonly int _patience = patience >= 0 ? patience
        : throw new ArgumentOutOfRangeException(nameof(patience), patience, $"ReduceLROnPlateau: patience must be >= 0, got {patience}");
    private readonly int _cooldown = cooldown >= 0 ? cooldown
        : throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, $"ReduceLROnPlateau: cooldown must be >= 0, got {cooldown}");
    private int _wait, _cooling;

    /// <inheritdoc/>
    public override void OnTrainBegin(FitContext context)
    {
        _monitor.Reset();
        _wait = _cooling = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(FitContext context, IReadOnlyDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(context);
        double value = _monitor.Read(logs);
        if (_cooling > 0)
        {
            _cooling--;
            _wait = 0;
        }
        if (_monitor.Improved(value)) _wait = 0;
        else if (_cooling == 0 && ++_wait >= _patience)
        {
            var opt = context.Optimizer;
            if (opt.LearningRate > minLearningRate) opt.LearningRate = Math.Max(opt.LearningRate * _factor, minLearningRate);
            _cooling = _cooldown;
            _wait = 0;
        }
    }
}

/// <summary>A callback from lambdas (Keras's <c>LambdaCallback</c>); any may be null.</summary>
/// <param name="onEpochEnd">Called after each epoch with its numbers.</param>
/// <param name="onEpochBegin">Called before each epoch.</param>
/// <param name="onTrainBegin">Called before the first epoch.</param>
/// <param name="onTrainEnd">Called after the last epoch.</param>
public sealed class LambdaCallback(Action<FitContext, IReadOnlyDictionary<string, double>>? onEpochEnd = null, Action<FitContext>? onEpochBegin = null,
    Action<FitContext>? onTrainBegin = null, Action<FitContext>? onTrainEnd = null) : Callback
{
    /// <inheritdoc/>
    public override void OnTrainBegin(FitContext context) => onTrainBegin?.Invoke(context);

    /// <inheritdoc/>
    public override void OnEpochBegin(FitContext context) => onEpochBegin?.Invoke(context);

    /// <inheritdoc/>
    public override void OnEpochEnd(FitContext context, IReadOnlyDictionary<string, double> logs) => onEpochEnd?.Invoke(context, logs);

    /// <inheritdoc/>
    public override void OnTrainEnd(FitContext context) => onTrainEnd?.Invoke(context);
}
