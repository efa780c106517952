namespace DeepLearning;

/// <summary>The options of <c>Trainer.Fit</c> beyond the model, loss, data and optimizer.</summary>
public sealed class FitOptions
{
    /// <summary>Number of passes over the training data (default 1).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Batches evaluated after each epoch, without updating, giving <c>val_loss</c> and <c>val_&lt;metric&gt;</c>.</summary>
    public IEnumerable<(Tensor X, Tensor Y)>? ValidationData { get; init; }

    /// <summary>
    /// With the array overload of <see cref="Trainer.Fit(Layer, Func{Tensor, Tensor, Tensor}, Tensor, Tensor, Optimizer, int, FitOptions?)"/>:
    /// the fraction of samples, taken from the end before any shuffling (as Keras' <c>validation_split</c>), held out
    /// as validation data. 0 (the default) holds out nothing.
    /// </summary>
    public float ValidationSplit { get; init; }

    /// <summary>Metrics computed on each batch's predictions (and on the validation data), averaged by samples.</summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    /// <summary>Callbacks called at the start and end of training and of each epoch, in order.</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];

    /// <summary>Receives a <see cref="TrainingProgress"/> after each training batch.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }
}

/// <summary>A named function of a batch's predictions and targets, averaged over samples by <c>Trainer.Fit</c>.</summary>
/// <param name="name">The key in <see cref="History"/> (<c>accuracy</c>; validation adds <c>val_</c>).</param>
/// <param name="compute">Computes the metric's mean over a batch from (ŷ, y).</param>
/// <exception cref="ArgumentException">The name is empty, or is <c>loss</c> or <c>lr</c>.</exception>
public sealed class Metric(string name, Func<Tensor, Tensor, double> compute)
{
    /// <summary>The key in <see cref="History"/>.</summary>
    public string Name { get; } = string.IsNullOrWhiteSpace(name) || name is "loss" or "lr" || name.StartsWith("val_", StringComparison.Ordinal)
        ? throw new ArgumentException($"Metric: '{name}' cannot name a metric (empty, 'loss', 'lr' or starting with 'val_')", nameof(name))
        : name;

    /// <summary>The function (ŷ, y) → batch mean.</summary>
    public Func<Tensor, Tensor, double> Compute { get; } = compute ?? throw new ArgumentNullException(nameof(compute));

    /// <summary>
    /// Classification accuracy of scores ŷ <c>[N, C]</c> against targets y that are one-hot <c>[N, C]</c> or class
    /// indices <c>[N]</c> (see <see cref="Metrics.Accuracy(Tensor, Tensor)"/>).
    /// </summary>
    public static Metric Accuracy { get; } = new("accuracy", (yhat, y) => Metrics.Accuracy(yhat, y));
}
