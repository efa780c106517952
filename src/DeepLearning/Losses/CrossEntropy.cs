namespace DeepLearning;

// Categorical cross-entropies. Per sample (the last axis holds the classes): −Σ_k y_k · ln p_k. With label smoothing s
// the target becomes (1 − s)·y + s/K (PyTorch's and Flux's convention). The mean is over samples, as PyTorch and Flux.
public static partial class Losses
{
    /// <summary>
    /// Cross-entropy of probabilities (a softmax's output) and one-hot or soft targets: per sample
    /// <c>−Σₖ yₖ·ln max(ŷₖ, ε)</c> over the last axis.
    /// </summary>
    /// <remarks>
    /// Each prediction must lie in [0, 1]: a value outside is almost always a logit given to the probability form, where
    /// it yields a meaningless (even negative) loss, and <see cref="LogitCrossEntropy(Tensor, Tensor, Reduction, float)"/>
    /// is the loss for logits. Rows are not required to sum to 1 (PyTorch's <c>nll_loss</c> does not require it either;
    /// Keras renormalises, which changes the gradient): a tolerance on the sum would reject honest float32 softmax
    /// outputs of many classes, and ŷ is used as given. NaN passes through (the loss is NaN, which training reports).
    /// Checked on the CPU only: see the remarks on <see cref="Losses"/>.
    /// </remarks>
    /// <param name="prediction">ŷ <c>[batch, classes]</c> (or <c>[classes]</c>), rows of probabilities.</param>
    /// <param name="target">y of the same shape, rows summing to 1.</param>
    /// <param name="reduction">Mean (default) or sum over samples, or None for the per-sample losses <c>[batch]</c>.</param>
    /// <param name="labelSmoothing">s in [0, 1): the target becomes <c>(1 − s)·y + s/K</c>.</param>
    /// <param name="epsilon">Floor of ŷ inside the logarithm.</param>
    /// <exception cref="ArgumentException">The shapes differ, ŷ is a scalar, s is outside [0, 1), or a prediction lies
    /// outside [0, 1] (the message names the value and <see cref="LogitCrossEntropy(Tensor, Tensor, Reduction, float)"/>).</exception>
    public static Tensor CrossEntropy(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f, float epsilon = 1e-7f)
    {
        SameShape("CrossEntropy", prediction, target);
        Probabilities("CrossEntropy", "LogitCrossEntropy", prediction);
        var y = Smooth("CrossEntropy", prediction, target, labelSmoothing);
        return Reduce(-(y * Tensor.Maximum(prediction, epsilon).Log()).Sum(-1), reduction, "CrossEntropy");
    }

    /// <summary>Cross-entropy of probabilities with class indices as targets (PyTorch's form): <c>−ln ŷ[i, classes[i]]</c> per sample.</summary>
    /// <param name="prediction">ŷ <c>[batch, classes]</c> (or <c>[classes]</c> with one index).</param>
    /// <param name="classes">The class of each sample, in [0, classes).</param>
    /// <param name="reduction">Mean (default) or sum over samples, or None.</param>
    /// <param name="labelSmoothing">s in [0, 1), as in the one-hot form.</param>
    /// <param name="epsilon">Floor of ŷ inside the logarithm.</param>
    /// <exception cref="ArgumentException">The number of indices is not the batch size, an index is out of range, or a
    /// prediction lies outside [0, 1] (as in the one-hot form).</exception>
    public static Tensor CrossEntropy(Tensor prediction, int[] classes, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f, float epsilon = 1e-7f) =>
        CrossEntropy(prediction, OneHot("CrossEntropy", prediction, classes), reduction, labelSmoothing, epsilon);

    /// <summary>
    /// Cross-entropy from logits (scores before the softmax), the form to train classifiers with: per sample
    /// <c>−Σₖ yₖ·logsoftmax(x)ₖ</c>, where log-softmax subtracts the row maximum, so it is finite for any logits and never
    /// takes the log of a probability rounded to 0. Gradient <c>softmax(x) − y</c> per sample.
    /// </summary>
    /// <param name="prediction">Logits x <c>[batch, classes]</c> (or <c>[classes]</c>).</param>
    /// <param name="target">y of the same shape: one-hot or soft targets.</param>
    /// <param name="reduction">Mean (default) or sum over samples, or None for the per-sample losses.</param>
    /// <param name="labelSmoothing">s in [0, 1): the target becomes <c>(1 − s)·y + s/K</c>.</param>
    /// <exception cref="ArgumentException">The shapes differ, x is a scalar, or s is outside [0, 1).</exception>
    public static Tensor LogitCrossEntropy(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
    {
        SameShape("LogitCrossEntropy", prediction, target);
        var y = Smooth("LogitCrossEntropy", prediction, target, labelSmoothing);
        // The sign and the mean's 1/N go into the target (which needs no gradient), and the sum over classes and samples
        // is one reduction: four kernels forward and four backward instead of six and seven.
        return reduction switch
        {
            Reduction.Mean => (prediction.LogSoftmax() * (y * (-1f / Samples(prediction)))).Sum(),
            Reduction.Sum => (prediction.LogSoftmax() * -y).Sum(),
            _ => Reduce((prediction.LogSoftmax() * -y).Sum(-1), reduction, "LogitCrossEntropy"),
        };
    }

    /// <summary>Cross-entropy from logits with class indices as targets (PyTorch's <c>nn.CrossEntropyLoss</c>): <c>−logsoftmax(x)[i, classes[i]]</c>.</summary>
    /// <param name="prediction">Logits x <c>[batch, classes]</c> (or <c>[classes]</c> with one index).</param>
    /// <param name="classes">The class of each sample, in [0, classes).</param>
    /// <param name="reduction">Mean (default) or sum over samples, or None.</param>
    /// <param name="labelSmoothing">s in [0, 1), as in the one-hot form.</param>
    /// <exception cref="ArgumentException">The number of indices is not the batch size, or an index is out of range.</exception>
    public static Tensor LogitCrossEntropy(Tensor prediction, int[] classes, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f) =>
        LogitCrossEntropy(prediction, OneHot("LogitCrossEntropy", prediction, classes), reduction, labelSmoothing);

    private static int Samples(Tensor prediction) => prediction.Rank == 1 ? 1 : prediction.Length / prediction.Shape[-1];

    private static Tensor Smooth(string loss, Tensor prediction, Tensor target, float s)
    {
        if (prediction.Rank == 0) throw new ArgumentException($"{loss}: prediction is a scalar, expected [batch, classes] or [classes]");
        if (!(s >= 0f && s < 1f)) throw new ArgumentException($"{loss}: label smoothing {s} is outside [0, 1)");
        return s == 0f ? target : target * (1f - s) + s / prediction.Shape[-1];
    }

    private static Tensor OneHot(string loss, Tensor prediction, int[] classes)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(classes);
        if (prediction.Rank is not (1 or 2))
            throw new ArgumentException($"{loss}: class indices need a prediction of [batch, classes] or [classes], got {prediction.Shape}");
        int k = prediction.Shape[-1], n = prediction.Rank == 2 ? prediction.Shape[0] : 1;
        if (classes.Length != n)
            throw new ArgumentException($"{loss}: {classes.Length} class indices for a prediction of {prediction.Shape} ({n} samples)");
        var data = new float[n * k];
        for (int i = 0; i < n; i++)
        {
            if ((uint)classes[i] >= (uint)k)
                throw new ArgumentException($"{loss}: class index {classes[i]} of sample {i} is outside [0, {k})");
            data[i * k + classes[i]] = 1f;
        }
        return Tensor.FromSpan(data, prediction.Shape, prediction.Device);
    }

    /// <summary>
    /// <see cref="CrossEntropy(Tensor, Tensor, Reduction, float, float)"/> with its defaults (mean reduction): the
    /// two-argument form a method group needs to stand as a loss function, as in <c>model.Fit(Losses.CrossEntropy, …)</c>.
    /// </summary>
    public static Tensor CrossEntropy(Tensor prediction, Tensor target) => CrossEntropy(prediction, target, Reduction.Mean);

    /// <summary>
    /// <see cref="LogitCrossEntropy(Tensor, Tensor, Reduction, float)"/> with its defaults (mean reduction): the
    /// two-argument form a method group needs to stand as a loss function, as in <c>model.Fit(Losses.LogitCrossEntropy, …)</c>.
    /// </summary>
    public static Tensor LogitCrossEntropy(Tensor prediction, Tensor target) => LogitCrossEntropy(prediction, target, Reduction.Mean);
}
