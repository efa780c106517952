namespace DeepLearning;

/// <summary>
/// Classification metrics of scores (logits or probabilities) <c>[N, C]</c>, one row per sample: the predicted class
/// of a row is its arg-max (first on ties). Not differentiable; they read the scores back to the host.
/// </summary>
public static class Metrics
{
    /// <summary>The fraction of rows whose arg-max equals the label.</summary>
    /// <param name="scores">Scores <c>[N, C]</c>.</param>
    /// <param name="labels">N class indices in [0, C).</param>
    /// <exception cref="ArgumentException">Scores are not 2-D, N differs from the number of labels, a label is out of range, or N is 0.</exception>
    public static float Accuracy(Tensor scores, int[] labels)
    {
        var predicted = Predict("Accuracy", scores, labels);
        int hits = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) hits++;
        return (float)hits / labels.Length;
    }

    /// <summary>
    /// Accuracy chosen by the shape of the scores, as Keras' <c>"accuracy"</c>. Scores <c>[N, C]</c> with C &gt; 1: against
    /// one-hot (or probability) targets <c>[N, C]</c>, whose arg-max is the label, or against class indices stored as
    /// floats, of shape <c>[N]</c> or <c>[N, 1]</c>. One score per sample (<c>[N, 1]</c> or <c>[N]</c>, a sigmoid output):
    /// <see cref="BinaryAccuracy"/> at threshold 0.5, which assumes probabilities.
    /// </summary>
    /// <param name="scores">Scores <c>[N, C]</c>, or probabilities <c>[N, 1]</c> or <c>[N]</c>.</param>
    /// <param name="targets">Targets <c>[N, C]</c>, <c>[N]</c> or <c>[N, 1]</c>.</param>
    /// <exception cref="ArgumentException">The shapes do not fit, or an index is not a class (a binary target is not 0 or 1).</exception>
    public static float Accuracy(Tensor scores, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        if (scores.Rank == 1 || (scores.Rank == 2 && scores.Shape[1] == 1)) return Binary("Accuracy", scores, targets, 0.5f);
        return Accuracy(scores, Labels("Accuracy", scores, targets));
    }

    /// <summary>
    /// The fraction of samples whose output is on the right side of <paramref name="threshold"/>: predicted 1 when the
    /// output is above it, else 0 (Keras' <c>binary_accuracy</c>).
    /// </summary>
    /// <param name="outputs">One output per sample, <c>[N, 1]</c> or <c>[N]</c>.</param>
    /// <param name="targets">N targets of 0 or 1, <c>[N, 1]</c> or <c>[N]</c>.</param>
    /// <param name="threshold">0.5 for probabilities, 0 for logits.</param>
    /// <exception cref="ArgumentException">A shape is not one output per sample, N differs, N is 0, or a target is not 0 or 1.</exception>
    public static float BinaryAccuracy(Tensor outputs, Tensor targets, float threshold = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(targets);
        return Binary("BinaryAccuracy", outputs, targets, threshold);
    }

    /// <summary>
    /// The fraction of samples whose true class is among the <paramref name="k"/> highest scores. Ties at the boundary
    /// count in the target's favour, as TensorFlow's <c>in_top_k</c>: a hit when fewer than k classes score strictly higher
    /// than the true one.
    /// </summary>
    /// <param name="scores">Scores <c>[N, C]</c>.</param>
    /// <param name="targets">One-hot targets <c>[N, C]</c>, or class indices <c>[N]</c> or <c>[N, 1]</c>.</param>
    /// <param name="k">How many of the highest scores count (≥ 1; k ≥ C makes every sample a hit).</param>
    /// <exception cref="ArgumentException">Scores are not 2-D, the shapes do not fit, an index is not a class, or N is 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public static float TopKAccuracy(Tensor scores, Tensor targets, int k)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, $"TopKAccuracy: k must be >= 1, got {k}");
        var labels = Labels("TopKAccuracy", scores, targets);
        Predict("TopKAccuracy", scores, labels);
        int classes = scores.Shape[1], hits = 0;
        var values = scores.ToArray();
        for (int i = 0; i < labels.Length; i++)
        {
            var row = values.AsSpan(i * classes, classes);
            float truth = row[labels[i]];
            int above = 0;
            foreach (float v in row) if (v > truth) above++;
            if (above < k) hits++;
        }
        return (float)hits / labels.Length;
    }

    private static float Binary(string metric, Tensor outputs, Tensor targets, float threshold)
    {
        static bool OnePerSample(Tensor t) => t.Rank == 1 || (t.Rank == 2 && t.Shape[1] == 1);
        if (!OnePerSample(outputs) || !OnePerSample(targets) || outputs.Shape[0] != targets.Shape[0])
            throw new ArgumentException($"{metric}: binary accuracy needs one output and one 0/1 target per sample ([N, 1] or [N]), got outputs {outputs.Shape} and targets {targets.Shape}", nameof(targets));
        if (outputs.Shape[0] == 0) throw new ArgumentException($"{metric}: no samples", nameof(outputs));
        var o = outputs.ToArray();
        var t = targets.ToArray();
        int hits = 0;
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] is not (0f or 1f))
                throw new ArgumentException($"{metric}: target {t[i]} at index {i} is not 0 or 1 (binary accuracy of outputs {outputs.Shape})", nameof(targets));
            if (o[i] > threshold == (t[i] == 1f)) hits++;
        }
        return (float)hits / t.Length;
    }

    /// <summary>The confusion matrix of the predictions of <paramref name="scores"/> against <paramref name="labels"/>, with C classes.</summary>
    /// <inheritdoc cref="Accuracy(Tensor, int[])" path="/param"/>
    /// <inheritdoc cref="Accuracy(Tensor, int[])" path="/exception"/>
    public static ConfusionMatrix ConfusionMatrix(Tensor scores, int[] labels) =>
        new(Predict("ConfusionMatrix", scores, labels), labels, scores.Shape[1]);

    /// <summary>The confusion matrix of class predictions against labels.</summary>
    /// <param name="predicted">N predicted classes.</param>
    /// <param name="labels">N true classes.</param>
    /// <param name="classes">C: classes are 0 … C−1.</param>
    /// <exception cref="ArgumentException">The lengths differ or a class is out of range.</exception>
    public static ConfusionMatrix ConfusionMatrix(int[] predicted, int[] labels, int classes) => new(predicted, labels, classes);

    /// <summary>Precision per class, <c>TP / (TP + FP)</c> (0 for a class never predicted).</summary>
    /// <inheritdoc cref="Accuracy(Tensor, int[])" path="/param"/>
    /// <inheritdoc cref="Accuracy(Tensor, int[])" path="/exception"/>
    public static double[] Precision(Tensor scores, int[] labels) => ConfusionMatrix(scores, labels).Precision();

    /// <summary>Recall per class, <c>TP / (TP + FN)</c> (0 for a class absent from the labels).</summary>
    /// <inheritdoc cref="Accuracy(Tensor, int[])" path="/param"/>
    /// <inheritdoc cref="Accuracy(Tensor, int[])" path="/exception"/>
    public static double[] Recall(Tensor scores, int[] labels) => ConfusionMatrix(scores, labels).Recall();

    /// <summary>F1 per class, the harmonic mean <c>2PR / (P + R)</c> (0 where P + R = 0).</summary>
    /// <inheritdoc cref="Accuracy(Tensor, int[])" path="/param"/>
    /// <inheritdoc cref="Accuracy(Tensor, int[])" path="/exception"/>
    public static double[] F1(Tensor scores, int[] labels) => ConfusionMatrix(scores, labels).F1();

    private static int[] Predict(string metric, Tensor scores, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Rank != 2)
            throw new ArgumentException($"{metric}: scores must be [N, C], got shape {scores.Shape}", nameof(scores));
        if (scores.Shape[0] != labels.Length)
            throw new ArgumentException($"{metric}: scores have {scores.Shape[0]} rows (shape {scores.Shape}) but labels has {labels.Length} entries", nameof(labels));
        if (labels.Length == 0) throw new ArgumentException($"{metric}: no samples", nameof(labels));
        int classes = scores.Shape[1];
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"{metric}: label {labels[i]} at index {i} is not a class of scores {scores.Shape} (0 … {classes - 1})", nameof(labels));
        return scores.ArgMax(1);
    }

    private static int[] Labels(string metric, Tensor scores, Tensor targets)
    {
        if (targets.Rank == 2 && targets.Shape[1] > 1)
        {
            if (targets.Shape != scores.Shape)
                throw new ArgumentException($"{metric}: one-hot targets {targets.Shape} do not match scores {scores.Shape}", nameof(targets));
            return targets.ArgMax(1);
        }
        if (targets.Rank is 1 or 2)
        {
            var values = targets.ToArray();
            var labels = new int[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                labels[i] = (int)values[i];
                if (labels[i] != values[i])
                    throw new ArgumentException($"{metric}: target {values[i]} at index {i} is not a class index", nameof(targets));
            }
            return labels;
        }
        throw new ArgumentException($"{metric}: targets must be one-hot [N, C] or class indices [N], got shape {targets.Shape}", nameof(targets));
    }
}

/// <summary>
/// Counts of (true class, predicted class) pairs: <c>Counts[t, p]</c> is the number of samples of class t predicted as
/// p (rows true, columns predicted, as scikit-learn).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] _counts;

    /// <summary>Counts <paramref name="predicted"/> against <paramref name="labels"/>.</summary>
    /// <param name="predicted">N predicted classes.</param>
    /// <param name="labels">N true classes.</param>
    /// <param name="classes">C &gt; 0.</param>
    /// <exception cref="ArgumentException">The lengths differ or a class is out of range.</exception>
    public ConfusionMatrix(int[] predicted, int[] labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (predicted.Length != labels.Length)
            throw new ArgumentException($"ConfusionMatrix: {predicted.Length} predictions but {labels.Length} labels", nameof(labels));
        _counts = new int[classes, classes];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"ConfusionMatrix: label {labels[i]} at index {i} is not in 0 … {classes - 1}", nameof(labels));
            if ((uint)predicted[i] >= (uint)classes)
                throw new ArgumentException($"ConfusionMatrix: prediction {predicted[i]} at index {i} is not in 0 … {classes - 1}", nameof(predicted));
            _counts[labels[i], predicted[i]]++;
        }
        Classes = classes;
    }

    /// <summary>C, the number of classes.</summary>
    public int Classes { get; }

    /// <summary>Samples of true class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public int this[int actual, int predicted] => _counts[actual, predicted];

    /// <summary>A copy of the counts, <c>[true, predicted]</c>.</summary>
    public int[,] ToArray() => (int[,])_counts.Clone();

    /// <summary>Precision per class, <c>TP / (TP + FP)</c> (0 for a class never predicted).</summary>
    public double[] Precision() => PerClass(c => Ratio(_counts[c, c], Column(c)));

    /// <summary>Recall per class, <c>TP / (TP + FN)</c> (0 for a class absent from the labels).</summary>
    public double[] Recall() => PerClass(c => Ratio(_counts[c, c], Row(c)));

    /// <summary>F1 per class, <c>2PR / (P + R)</c> (0 where P + R = 0).</summary>
    public double[] F1()
    {
        var p = Precision();
        var r = Recall();
        return PerClass(c => p[c] + r[c] > 0 ? 2 * p[c] * r[c] / (p[c] + r[c]) : 0);
    }

    /// <summary>The fraction on the diagonal.</summary>
    public double Accuracy()
    {
        long diag = 0, total = 0;
        for (int t = 0; t < Classes; t++)
            for (int p = 0; p < Classes; p++)
            {
                total += _counts[t, p];
                if (t == p) diag += _counts[t, p];
            }
        return Ratio(diag, total);
    }

    private long Row(int c)
    {
        long s = 0;
        for (int p = 0; p < Classes; p++) s += _counts[c, p];
        return s;
    }

    private long Column(int c)
    {
        long s = 0;
        for (int t = 0; t < Classes; t++) s += _counts[t, c];
        return s;
    }

    private double[] PerClass(Func<int, double> f)
    {
        var r = new double[Classes];
        for (int c = 0; c < Classes; c++) r[c] = f(c);
        return r;
    }

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
}
