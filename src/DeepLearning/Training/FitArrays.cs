namespace DeepLearning;

public static partial class Trainer
{
    /// <summary>
    /// Keras' <c>fit(x, y, batch_size, validation_split)</c>: holds out the last <see cref="FitOptions.ValidationSplit"/>
    /// of the samples as validation data, then trains on shuffled mini-batches of the rest (a <see cref="DataLoader"/>
    /// with seed 0, a new order each epoch).
    /// </summary>
    /// <param name="model">The model; <paramref name="opt"/> should have been set up on it.</param>
    /// <param name="lossFn">A loss of (ŷ, y), such as <c>Losses.LogitCrossEntropy</c>.</param>
    /// <param name="x">Inputs, samples along the first axis.</param>
    /// <param name="y">Targets, samples along the first axis.</param>
    /// <param name="opt">The optimizer.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="options">Epochs, validation split, metrics, callbacks, progress.</param>
    /// <returns>The per-epoch history.</returns>
    /// <exception cref="ArgumentException">
    /// The split is outside [0, 1), leaves no training or no validation sample, or is combined with
    /// <see cref="FitOptions.ValidationData"/> or <see cref="FitOptions.ValidationSet"/>; or X and Y differ in length.
    /// </exception>
    public static History Fit(this Layer model, Func<Tensor, Tensor, Tensor> lossFn, Tensor x, Tensor y, Optimizer opt,
        int batchSize = 32, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new FitOptions();
        float split = options.ValidationSplit;
        if (!(split >= 0 && split < 1))
            throw new ArgumentException($"Fit: ValidationSplit must be in [0, 1), got {split}", nameof(options));
        if (split == 0) return model.Fit(lossFn, new DataLoader(x, y, batchSize, shuffle: true), opt, options);
        if (options.ValidationData is not null || options.ValidationSet is not null)
            throw new ArgumentException("Fit: give either ValidationSplit or validation data (ValidationData, ValidationSet), not both", nameof(options));
        if (x.Rank == 0 || y.Rank == 0 || x.Shape[0] != y.Shape[0])
            throw new ArgumentException($"Fit: X {x.Shape} and Y {y.Shape} must have the same number of samples along the first axis");
        int n = x.Shape[0], held = (int)Math.Round(n * (double)split), kept = n - held;
        if (held == 0 || kept == 0)
            throw new ArgumentException($"Fit: ValidationSplit {split} of {n} samples leaves {kept} for training and {held} for validation", nameof(options));
        Tensor trainX, trainY, validX, validY;
        using (Autodiff.NoGrad())
        {
            trainX = x.Slice(0, kept);
            trainY = y.Slice(0, kept);
            validX = x.Slice(kept, held);
            validY = y.Slice(kept, held);
        }
        var validation = new DataLoader(validX, validY, batchSize);
        return model.Fit(lossFn, new DataLoader(trainX, trainY, batchSize, shuffle: true), opt,
            new FitOptions
            {
                Epochs = options.Epochs,
                ValidationData = validation,
                Metrics = options.Metrics,
                Callbacks = options.Callbacks,
                Progress = options.Progress,
                Verbose = options.Verbose,
                Output = options.Output,
            });
    }
}
