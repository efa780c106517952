using System.Diagnostics;

namespace DeepLearning;

/// <summary>
/// Training loops: <see cref="TrainStep"/> (one gradient step), <see cref="Train"/> (one pass over the data, Flux's
/// <c>train!</c>), and <c>Fit</c> (epochs, validation, metrics, callbacks, history) on top of them.
/// </summary>
/// <example>
/// <code>
/// Tensor Loss(Tensor x, Tensor y) => Losses.Mse(model.Forward(x), y);
/// var opt = new Adam(1e-3f).Setup(model);
/// for (int epoch = 0; epoch &lt; 10; epoch++)
///     Console.WriteLine(Trainer.Train(Loss, data, opt));
/// </code>
/// </example>
public static partial class Trainer
{
    /// <summary>
    /// One step: inside a <see cref="TensorScope"/>, takes the gradient of <c>loss(x, y)</c> w.r.t.
    /// <c>opt.Parameters</c> and updates them with <see cref="Optimizer.Update"/>. Every temporary of the step is
    /// released before it returns (reading one afterwards throws): to hold a tensor made by <paramref name="loss"/> past
    /// the step, pass it to <see cref="TensorScope.Keep{T}"/> of <see cref="TensorScope.Current"/> (it moves to the scope
    /// around the call; in <see cref="Train"/>, to its batch) or copy it with <see cref="Tensor.Clone"/>.
    /// </summary>
    /// <param name="loss">Computes a one-element loss from a batch (x, y).</param>
    /// <param name="x">The batch's inputs.</param>
    /// <param name="y">The batch's targets.</param>
    /// <param name="opt">The optimizer whose parameters are trained.</param>
    /// <returns>The loss before the update.</returns>
    /// <exception cref="ArithmeticException">The loss is NaN or infinite; the parameters are left unchanged.</exception>
    /// <exception cref="InvalidOperationException">The loss depends on none of the optimizer's parameters (it was set up
    /// on another model), or another thread is training with the same optimizer at the same time.</exception>
    public static float TrainStep(Func<Tensor, Tensor, Tensor> loss, Tensor x, Tensor y, Optimizer opt)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(opt);
        return Step(loss, x, y, opt, null, null, 0);
    }

    /// <summary>
    /// One pass over <paramref name="data"/>: a <see cref="TrainStep"/> per batch (Flux's <c>train!(loss, data, opt)</c>).
    /// </summary>
    /// <param name="loss">Computes a one-element loss from a batch (x, y).</param>
    /// <param name="data">The batches: a <c>DataLoader</c>, or any sequence of (x, y) pairs.</param>
    /// <param name="opt">The optimizer whose parameters are trained.</param>
    /// <param name="progress">Receives a <see cref="TrainingProgress"/> after each batch.</param>
    /// <param name="epoch">The epoch number (from 0) to name in progress and error messages.</param>
    /// <returns>
    /// The mean loss over the pass, each batch weighted by its number of samples (rows of x); under <c>DataParallel</c>,
    /// over the batches of all processes (the same value on each).
    /// </returns>
    /// <exception cref="ArithmeticException">A batch's loss is not finite; the message names the epoch and batch.</exception>
    /// <exception cref="ArgumentException">The data holds no batches.</exception>
    public static float Train(Func<Tensor, Tensor, Tensor> loss, IEnumerable<(Tensor X, Tensor Y)> data, Optimizer opt,
        IProgress<TrainingProgress>? progress = null, int epoch = 0)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(opt);
        return (float)RunEpoch(loss, data, opt, epoch, 1, progress, null);
    }

    /// <summary>The pass of <see cref="Train"/>; <paramref name="inStep"/> runs inside each step's scope after the update.</summary>
    internal static double RunEpoch(Func<Tensor, Tensor, Tensor> loss, IEnumerable<(Tensor X, Tensor Y)> data, Optimizer opt,
        int epoch, int epochs, IProgress<TrainingProgress>? progress, Action<int>? inStep)
    {
        int? count = CountOf(data);
        var clock = Stopwatch.StartNew();
        double sum = 0;
        long samples = 0;
        int batch = 0;
        foreach (var (x, y) in Scoped(data))
        {
            if (x is null || y is null) throw new ArgumentException($"Train: batch {batch} of epoch {epoch} holds a null tensor", nameof(data));
            int n = Samples(x);
            float value = Step(loss, x, y, opt, (epoch, batch), inStep, n);
            sum += (double)value * n;
            samples += n;
            if (progress is not null)
            {
                var elapsed = clock.Elapsed;
                progress.Report(new TrainingProgress
                {
                    Epoch = epoch,
                    Epochs = epochs,
                    Batch = batch,
                    BatchesPerEpoch = count,
                    Loss = (float)(sum / Math.Max(samples, 1)),
                    SamplesPerSecond = elapsed.TotalSeconds > 0 ? samples / elapsed.TotalSeconds : 0,
                    Elapsed = elapsed,
                    Remaining = count is int c ? elapsed / (batch + 1) * Math.Max(c - batch - 1, 0) : null,
                });
            }
            batch++;
        }
        if (batch == 0) throw new ArgumentException($"Train: the data yielded no batches in epoch {epoch}", nameof(data));
        double[] totals = [sum, samples, batch];
        SumAcrossReplicas(opt, totals);
        return totals[1] > 0 ? totals[0] / totals[1] : totals[0] / totals[2];
    }

    /// <summary>Replaces <paramref name="values"/> by their sums over the processes of data-parallel training (nothing to do otherwise).</summary>
    internal static void SumAcrossReplicas(Optimizer opt, double[] values)
    {
        if (opt.Replicas is { WorldSize: > 1 } replicas) replicas.Sum(values);
    }

    /// <summary>
    /// Enumerates <paramref name="data"/> with a <see cref="TensorScope"/> open from each batch's fetch to the end of its
    /// work, so the tensors a loader makes for a batch (gathered rows, views) go back to the pool with it; tensors that
    /// existed before the fetch, such as a list of prepared batches, are not touched.
    /// </summary>
    internal static IEnumerable<(Tensor X, Tensor Y)> Scoped(IEnumerable<(Tensor X, Tensor Y)> data)
    {
        using var e = data.GetEnumerator();
        while (true)
        {
            using var scope = TensorScope.Begin("when its batch of Train, Fit or Evaluate ended");
            if (!e.MoveNext()) yield break;
            yield return e.Current;
        }
    }

    private static float Step(Func<Tensor, Tensor, Tensor> loss, Tensor x, Tensor y, Optimizer opt, (int Epoch, int Batch)? where,
        Action<int>? inStep, int samples)
    {
        int token = opt.Enter("Train");
        try
        {
            using var scope = TensorScope.Begin("at the end of the training step that made it");
            var grads = opt.StepGradients;
            var value = Autodiff.ValueAndGradient(static s => s.Loss(s.X, s.Y), (Loss: loss, X: x, Y: y), opt.Parameters, grads);
            if (grads.Connected == 0 && opt.Parameters.Count > 0) throw opt.Disconnected("Train");
            float v = value.Item();
            if (!float.IsFinite(v))
            {
                string at = where is { } w ? $" at epoch {w.Epoch}, batch {w.Batch} (counting from 0)" : "";
                throw new ArithmeticException(
                    $"Train: the loss is {v}{at}; the parameters were not updated. Lower the learning rate, clip gradients (ClipNorm) or check the data for NaN");
            }
            opt.Update(grads);
            grads.Clear();
            inStep?.Invoke(samples);
            return v;
        }
        finally
        {
            opt.Exit(token);
        }
    }

    /// <summary>Rows of a batch (its first dimension); a scalar input counts as one sample.</summary>
    internal static int Samples(Tensor x) => x.Rank == 0 ? 1 : x.Shape[0];

    internal static int? CountOf<T>(IEnumerable<T> data) => data switch
    {
        IReadOnlyCollection<T> c => c.Count,
        _ when data.TryGetNonEnumeratedCount(out int n) => n,
        _ => null,
    };
}
