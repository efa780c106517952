using System.Globalization;

namespace DeepLearning;

public static partial class Trainer
{
    /// <summary>
    /// Keras-style training: <see cref="FitOptions.Epochs"/> passes of <see cref="Train"/> over
    /// <paramref name="trainData"/> with the loss <c>lossFn(model.Forward(x), y)</c>, then the validation data
    /// evaluated, metrics averaged, callbacks called, and each epoch's numbers appended to the returned
    /// <see cref="History"/> (keys <c>loss</c>, each metric, <c>val_loss</c>, <c>val_&lt;metric&gt;</c>, <c>lr</c>).
    /// </summary>
    /// <remarks>
    /// Under <c>DataParallel</c> (each process passing its shard of the data, <c>DataLoader.Shard</c>), the training and
    /// validation numbers are averaged over the samples of all processes, so every process logs, and its callbacks
    /// decide on, the same values; only the main process (rank 0) prints (<see cref="FitOptions.Verbose"/>,
    /// <see cref="ConsoleProgress"/>) and saves checkpoints (see <see cref="FitContext.IsMainProcess"/>).
    /// <see cref="FitOptions.Progress"/> reports on every process, with its own running numbers.
    /// </remarks>
    /// <param name="model">The model; <paramref name="opt"/> should have been set up on it.</param>
    /// <param name="lossFn">A loss of (ŷ, y), such as <c>Losses.Mse</c>.</param>
    /// <param name="trainData">The training batches, enumerated once per epoch.</param>
    /// <param name="opt">The optimizer.</param>
    /// <param name="options">Epochs, validation data, metrics, callbacks, progress.</param>
    /// <returns>The per-epoch history.</returns>
    /// <exception cref="ArithmeticException">A training loss is not finite (names the epoch and batch).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="FitOptions.Epochs"/> is negative or <see cref="FitOptions.Verbose"/> is not 0, 1 or 2.</exception>
    /// <exception cref="ArgumentException">
    /// <see cref="FitOptions.ValidationSplit"/> is set (it needs arrays: use the (x, y) overload or pass validation data);
    /// both <see cref="FitOptions.ValidationData"/> and <see cref="FitOptions.ValidationSet"/> are set; or the optimizer has a
    /// <see cref="Optimizer.Schedule"/> and a callback also sets the rate (<see cref="LearningRateScheduler"/>, <see cref="ReduceLROnPlateau"/>).
    /// </exception>
    public static History Fit(this Layer model, Func<Tensor, Tensor, Tensor> lossFn, IEnumerable<(Tensor X, Tensor Y)> trainData,
        Optimizer opt, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(lossFn);
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(opt);
        var own = model.Parameters();
        if (own.Count > 0 && !own.Any(opt.Parameters.Contains))
            throw new ArgumentException("Fit: the optimizer was set up on parameters other than the model's; use rule.Setup(model)", nameof(opt));
        options ??= new FitOptions();
        CheckOptions(options, opt);
        var validation = ValidationOf(options, trainData);
        var metrics = options.Metrics;
        var history = new History();
        var context = new FitContext(model, opt, history, options.Epochs);
        var console = options.Verbose == 0 || !context.IsMainProcess ? null : new ConsoleProgress(options.Output, live: options.Verbose == 1 ? null : false);
        // The console prints each epoch's line before other callbacks speak (as Keras' progress logger).
        IReadOnlyList<Callback> callbacks = console is null ? options.Callbacks : [console, .. options.Callbacks];
        foreach (var c in callbacks) c.OnTrainBegin(context);
        for (int epoch = 0; epoch < options.Epochs && !context.StopTraining; epoch++)
        {
            context.Epoch = epoch;
            foreach (var c in callbacks) c.OnEpochBegin(context);
            // The rate this epoch's first step will use: a schedule sets it inside Update, after this point.
            float? lr = opt.HasLearningRate ? opt.Schedule?.At(opt.Iterations) ?? opt.LearningRate : null;

            // Metrics are computed on the forward pass of the step itself, inside its scope (as Keras does).
            Tensor? yhat = null, target = null;
            var sums = new double[metrics.Count];
            long samples = 0;
            Tensor Loss(Tensor x, Tensor y)
            {
                yhat = model.Forward(x);
                target = y;
                return lossFn(yhat, y);
            }
            var progress = ProgressWithMetrics(options.Progress, console, metrics, sums, () => samples);
            // Predictions outside host memory add metrics with a device form up on the device: no read per step (while
            // no progress shows running values).
            var onDevice = new Tensor?[metrics.Count];
            void Accumulate(int n)
            {
                using var noGrad = Autodiff.NoGrad();
                bool host = progress is not null || yhat!.TryGetHostSpan(out _);
                for (int i = 0; i < metrics.Count; i++)
                {
                    if (!host && metrics[i].OnDevice is { } f)
                    {
                        var value = f(yhat!, target!);
                        onDevice[i] ??= Tensor.Persistent(Tensor.Zeros(value.Shape, value.Device), null);
                        Tensor.AddScaledInPlace(onDevice[i]!, value, n);
                    }
                    else sums[i] += metrics[i].Compute(yhat!, target!) * n;
                }
                samples += n;
            }
            double loss = RunEpoch(Loss, trainData, opt, epoch, options.Epochs, progress, metrics.Count > 0 ? Accumulate : null);
            for (int i = 0; i < metrics.Count; i++)
                if (onDevice[i] is { } total)
                {
                    sums[i] += total.Item();
                    total.Dispose();
                }
            if (metrics.Count > 0)
            {
                double[] totals = [.. sums, samples];
                SumAcrossReplicas(opt, totals);
                totals.AsSpan(0, metrics.Count).CopyTo(sums);
                samples = (long)totals[^1];
            }

            var logs = new Dictionary<string, double> { ["loss"] = loss };
            for (int i = 0; i < metrics.Count; i++) logs[metrics[i].Name] = sums[i] / Math.Max(samples, 1);
            if (validation is not null)
                foreach (var (key, value) in EvaluateAcross(model, lossFn, validation, metrics, opt))
                    logs["val_" + key] = value;
            if (lr is float rate) logs["lr"] = AsLogged(rate);
            history.Append(epoch, logs);
            foreach (var c in callbacks) c.OnEpochEnd(context, logs);
        }
        foreach (var c in callbacks) c.OnTrainEnd(context);
        return history;
    }

    private static void CheckOptions(FitOptions options, Optimizer opt)
    {
        if (options.Epochs < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, $"Fit: Epochs must be >= 0, got {options.Epochs}");
        if (options.Verbose is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.Verbose, $"Fit: Verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch), got {options.Verbose}");
        // Keras supports validation_split only for arrays: batches cannot be split without knowing how they were made.
        if (options.ValidationSplit != 0)
            throw new ArgumentException($"Fit: ValidationSplit = {options.ValidationSplit} needs the samples as arrays; with batches "
                + "pass ValidationData (or ValidationSet = (x, y)), or use the Fit(model, lossFn, x, y, opt, batchSize, options) overload", nameof(options));
        if (options.ValidationData is not null && options.ValidationSet is not null)
            throw new ArgumentException("Fit: give either ValidationData or ValidationSet, not both", nameof(options));
        if (opt.Schedule is { } schedule && options.Callbacks.FirstOrDefault(c => c is LearningRateScheduler or ReduceLROnPlateau) is { } setter)
            throw new ArgumentException($"Fit: the optimizer's Schedule ({schedule.GetType().Name}) owns the learning rate, so the "
                + $"{setter.GetType().Name} callback cannot set it; set opt.Schedule = null or remove the callback", nameof(options));
    }

    /// <summary>The validation batches: <see cref="FitOptions.ValidationData"/>, or the set cut into batches of the training batch size.</summary>
    private static IEnumerable<(Tensor X, Tensor Y)>? ValidationOf(FitOptions options, IEnumerable<(Tensor X, Tensor Y)> trainData) =>
        options.ValidationSet is { } set
            ? new DataLoader(set.X, set.Y, trainData is DataLoader d ? d.BatchSize : FitOptions.DefaultValidationBatchSize)
            : options.ValidationData;

    /// <summary>The float rate as the double it reads as (0.1, not 0.10000000149011612), so logs and CSV show the rate that was set.</summary>
    internal static double AsLogged(float rate) =>
        double.Parse(rate.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Forwards each batch's progress, with the running means of the metrics, to the user's and the console's receivers.</summary>
    private static IProgress<TrainingProgress>? ProgressWithMetrics(IProgress<TrainingProgress>? user, ConsoleProgress? console,
        IReadOnlyList<Metric> metrics, double[] sums, Func<long> samples)
    {
        if (user is null && console is null) return null;
        return new ForwardingProgress(p =>
        {
            if (metrics.Count > 0)
            {
                long n = Math.Max(samples(), 1);
                var running = new Dictionary<string, double>(metrics.Count);
                for (int i = 0; i < metrics.Count; i++) running[metrics[i].Name] = sums[i] / n;
                p = p with { Metrics = running };
            }
            user?.Report(p);
            console?.Report(p);
        });
    }

    // Progress<T> would post to a synchronization context; the bar must be drawn before the next step.
    private sealed class ForwardingProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>
    /// The mean loss <c>lossFn(model.Forward(x), y)</c> and metrics over <paramref name="data"/>, without recording
    /// or updating, each batch weighted by its samples; each batch (as the data yields it) and its work are released together.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="lossFn">A loss of (ŷ, y).</param>
    /// <param name="data">The batches.</param>
    /// <param name="metrics">Metrics to average besides the loss.</param>
    /// <returns><c>loss</c> and each metric's name, mapped to its mean.</returns>
    /// <exception cref="ArgumentException">The data holds no batches.</exception>
    public static IReadOnlyDictionary<string, double> Evaluate(this Layer model, Func<Tensor, Tensor, Tensor> lossFn,
        IEnumerable<(Tensor X, Tensor Y)> data, IReadOnlyList<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(lossFn);
        ArgumentNullException.ThrowIfNull(data);
        metrics ??= [];
        return Means(EvaluateSums(model, lossFn, data, metrics), metrics);
    }

    /// <summary><see cref="Evaluate"/> over the validation shards of all processes of data-parallel training.</summary>
    private static Dictionary<string, double> EvaluateAcross(Layer model, Func<Tensor, Tensor, Tensor> lossFn,
        IEnumerable<(Tensor X, Tensor Y)> data, IReadOnlyList<Metric> metrics, Optimizer opt)
    {
        var totals = EvaluateSums(model, lossFn, data, metrics);
        SumAcrossReplicas(opt, totals);
        return Means(totals, metrics);
    }

    /// <summary>
    /// The sample-weighted sums of <see cref="Evaluate"/>: the loss, each metric, then the number of samples, to be
    /// summed across processes before <see cref="Means"/> divides.
    /// </summary>
    internal static double[] EvaluateSums(Layer model, Func<Tensor, Tensor, Tensor> lossFn, IEnumerable<(Tensor X, Tensor Y)> data,
        IReadOnlyList<Metric> metrics)
    {
        var sums = new double[metrics.Count];
        double loss = 0;
        long samples = 0;
        int batches = 0;
        using var noGrad = Autodiff.NoGrad();
        // Evaluation mode even after a user's TrainMode(): validation must not move BatchNorm's statistics or drop units.
        using var modes = model.Temporarily(LayerMode.Test);
        foreach (var (x, y) in Scoped(data))
        {
            int n = Samples(x);
            var yhat = model.Forward(x);
            loss += (double)lossFn(yhat, y).Item() * n;
            for (int i = 0; i < metrics.Count; i++) sums[i] += metrics[i].Compute(yhat, y) * n;
            samples += n;
            batches++;
        }
        if (batches == 0) throw new ArgumentException("Evaluate: the data yielded no batches", nameof(data));
        return [loss, .. sums, samples];
    }

    /// <summary>The means, by name, of sums laid out as <see cref="EvaluateSums"/> returns them.</summary>
    internal static Dictionary<string, double> Means(double[] totals, IReadOnlyList<Metric> metrics)
    {
        double samples = totals[^1];
        var result = new Dictionary<string, double> { ["loss"] = totals[0] / samples };
        for (int i = 0; i < metrics.Count; i++) result[metrics[i].Name] = totals[i + 1] / samples;
        return result;
    }
}
