namespace DeepLearning;

/// <summary>The options of <c>Trainer.Fit</c> beyond the model, loss, data and optimizer.</summary>
public sealed class FitOptions
{
    /// <summary>Number of passes over the training data (default 1).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Batches evaluated after each epoch, without updating, giving <c>val_loss</c> and <c>val_&lt;metric&gt;</c>.</summary>
    public IEnumerable<(Tensor X, Tensor Y)>? ValidationData { get; init; }

    /// <summary>
    /// Validation samples as whole tensors (Keras' <c>validation_data=(x, y)</c>), samples along the first axis: evaluated
    /// like <see cref="ValidationData"/> in batches of the training batch size (that of a <see cref="DataLoader"/>, or 32
    /// for other batch sequences). Give this or <see cref="ValidationData"/>, not both.
    /// </summary>
    /// <example><code>model.Fit(loss, train, opt, new FitOptions { ValidationSet = (testX, testY) });</code></example>
    public (Tensor X, Tensor Y)? ValidationSet { get; init; }

    /// <summary>The batch size of <see cref="ValidationSet"/> when the training data is not a <see cref="DataLoader"/> (Keras' default batch size).</summary>
    internal const int DefaultValidationBatchSize = 32;

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

    /// <summary>Receives a <see cref="TrainingProgress"/> after each training batch, with the running means of the metrics.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Progress written to <see cref="Output"/> (Keras' <c>verbose</c>): 0 silent (the default); 1 a bar redrawn in place
    /// with the ETA, loss and metrics while an epoch runs, on an interactive console (when the output is redirected or is
    /// another writer, only the epoch lines); 2 one line per epoch with its numbers and time. See <see cref="ConsoleProgress"/>.
    /// </summary>
    public int Verbose { get; init; }

    /// <summary>Where <see cref="Verbose"/> writes; null (the default) is <see cref="Console.Out"/>.</summary>
    public TextWriter? Output { get; init; }
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
    /// The same batch mean as a one-element tensor on the predictions' device, for predictions not in host memory:
    /// <c>Fit</c> then sums it on the device and reads it once per epoch. Null: <see cref="Compute"/> reads every batch.
    /// </summary>
    internal Func<Tensor, Tensor, Tensor>? OnDevice { get; init; }

    /// <summary>
    /// Accuracy chosen by the output's shape, as Keras' <c>"accuracy"</c>: for scores ŷ <c>[N, C]</c> (C &gt; 1) against
    /// one-hot <c>[N, C]</c> or class indices <c>[N]</c>, the arg-max accuracy; for one output per sample (<c>[N, 1]</c> or
    /// <c>[N]</c>, a sigmoid) against 0/1 targets, the binary accuracy at threshold 0.5 on probabilities (for logits use
    /// <see cref="BinaryAccuracy"/> with threshold 0). See <see cref="Metrics.Accuracy(Tensor, Tensor)"/>.
    /// </summary>
    public static Metric Accuracy { get; } = new("accuracy", (yhat, y) => Metrics.Accuracy(yhat, y)) { OnDevice = Tensor.AccuracyOnDevice };

    /// <summary>
    /// The fraction of samples whose output <c>[N, 1]</c> or <c>[N]</c> falls on the side of <paramref name="threshold"/> of its
    /// 0/1 target (above: 1), named <c>binary_accuracy</c> (Keras' <c>BinaryAccuracy</c>).
    /// </summary>
    /// <param name="threshold">0.5 for probabilities (a sigmoid output), 0 for logits.</param>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not finite.</exception>
    public static Metric BinaryAccuracy(float threshold = 0.5f) => float.IsFinite(threshold)
        ? new("binary_accuracy", (yhat, y) => Metrics.BinaryAccuracy(yhat, y, threshold))
        : throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"Metric.BinaryAccuracy: threshold must be finite, got {threshold}");

    /// <summary>
    /// The fraction of samples whose true class is among the <paramref name="k"/> highest scores, named <c>top_{k}_accuracy</c>
    /// (Keras' <c>top_k_categorical_accuracy</c>); see <see cref="Metrics.TopKAccuracy(Tensor, Tensor, int)"/> for ties.
    /// </summary>
    /// <param name="k">How many of the highest scores count (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public static Metric TopKAccuracy(int k) => k >= 1
        ? new($"top_{k}_accuracy", (yhat, y) => Metrics.TopKAccuracy(yhat, y, k))
        : throw new ArgumentOutOfRangeException(nameof(k), k, $"Metric.TopKAccuracy: k must be >= 1, got {k}");
}
