using System.Globalization;

namespace DeepLearning;

/// <summary>
/// Loss functions of one signature, <c>Loss(prediction, target, reduction)</c> (extra hyper-parameters after it), each
/// composed from differentiable ops. Prediction and target must have the same shape (no broadcasting, which would hide
/// a <c>[32, 1]</c> vs <c>[32]</c> mistake), except for the class-index overloads. Stable fused forms have their own
/// names: prefer <see cref="LogitCrossEntropy(Tensor, Tensor, Reduction, float)"/> and
/// <see cref="LogitBinaryCrossEntropy(Tensor, Tensor, Reduction)"/> on raw scores over a softmax or sigmoid followed by the probability form.
/// </summary>
/// <remarks>
/// Value checks (probabilities in [0, 1], targets in [0, 1]) read the tensors where they already are, on the CPU: there
/// they cost one pass over the values. On a device whose memory is not host memory (a GPU) they are skipped, so that a
/// loss never adds a device-to-host read (a synchronisation) to a training step; check a GPU model's outputs on the
/// CPU once if in doubt. Shape checks are made on every device.
/// </remarks>
public static partial class Losses
{
    /// <summary>Mean squared error: element-wise <c>(ŷ − y)²</c>, reduced.</summary>
    /// <param name="prediction">ŷ, any shape.</param>
    /// <param name="target">y, the shape of ŷ.</param>
    /// <param name="reduction">Mean (default) or sum over all elements, or None for the element-wise losses.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape("Mse", prediction, target);
        return Reduce((prediction - target).Square(), reduction, "Mse");
    }

    /// <summary>Mean absolute error: element-wise <c>|ŷ − y|</c>, reduced.</summary>
    /// <inheritdoc cref="Mse(Tensor, Tensor, Reduction)" path="/param"/>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor Mae(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape("Mae", prediction, target);
        return Reduce((prediction - target).Abs(), reduction, "Mae");
    }

    /// <summary>
    /// Huber loss: element-wise, with <c>d = |ŷ − y|</c>, <c>d²/2</c> for d ≤ δ and <c>δ(d − δ/2)</c> beyond (quadratic
    /// near 0, linear in the tails). Computed as <c>q²/2 + δ(d − q)</c>, <c>q = min(d, δ)</c>.
    /// </summary>
    /// <param name="prediction">ŷ, any shape.</param>
    /// <param name="target">y, the shape of ŷ.</param>
    /// <param name="reduction">Mean (default) or sum over all elements, or None for the element-wise losses.</param>
    /// <param name="delta">δ &gt; 0, where the loss turns linear.</param>
    /// <exception cref="ArgumentException">The shapes differ, or δ is not positive.</exception>
    public static Tensor Huber(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean, float delta = 1f)
    {
        SameShape("Huber", prediction, target);
        if (!(delta > 0f) || !float.IsFinite(delta)) throw new ArgumentException($"Huber: δ must be positive and finite, got {delta}", nameof(delta));
        var d = (prediction - target).Abs();
        var q = Tensor.Minimum(d, delta);
        return Reduce(q.Square() * 0.5f + (d - q) * delta, reduction, "Huber");
    }

    /// <summary>
    /// Binary cross-entropy of probabilities: element-wise <c>−[y·ln p + (1 − y)·ln(1 − p)]</c> with
    /// <c>p = clamp(ŷ, ε, 1 − ε)</c>, so a prediction of exactly 0 or 1 gives a large finite loss rather than ∞.
    /// </summary>
    /// <remarks>
    /// A prediction outside [0, 1] is an error rather than clamped: it is almost always a logit passed to the
    /// probability form (which the clamp would turn into a loss near 0 with no gradient), and
    /// <see cref="LogitBinaryCrossEntropy(Tensor, Tensor, Reduction)"/> is the loss for logits. NaN passes through (the
    /// loss is NaN, which training reports). On the CPU only: see the remarks on <see cref="Losses"/>.
    /// </remarks>
    /// <param name="prediction">ŷ, probabilities in [0, 1] (a sigmoid's output).</param>
    /// <param name="target">y in [0, 1], the shape of ŷ.</param>
    /// <param name="reduction">Mean (default) or sum over all elements, or None.</param>
    /// <param name="epsilon">The clamp ε.</param>
    /// <exception cref="ArgumentException">The shapes differ, a prediction lies outside [0, 1] (the message names the
    /// value and <see cref="LogitBinaryCrossEntropy(Tensor, Tensor, Reduction)"/>), or a target lies outside [0, 1].</exception>
    public static Tensor BinaryCrossEntropy(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean, float epsilon = 1e-7f)
    {
        SameShape("BinaryCrossEntropy", prediction, target);
        Probabilities("BinaryCrossEntropy", "LogitBinaryCrossEntropy", prediction);
        TargetInUnitInterval("BinaryCrossEntropy", target);
        var p = Tensor.Minimum(Tensor.Maximum(prediction, epsilon), 1f - epsilon);
        return Reduce(-(target * p.Log() + (1f - target) * (1f - p).Log()), reduction, "BinaryCrossEntropy");
    }

    /// <summary>
    /// Binary cross-entropy from logits x (before the sigmoid), stable for any x: element-wise
    /// <c>y·softplus(−x) + (1 − y)·softplus(x)</c> (= <c>softplus(x) − x·y</c>), equal to BCE of σ(x) without its rounding
    /// and accurate to a few ulp even where the loss is tiny (a confident right logit). Gradient <c>σ(x) − y</c>.
    /// </summary>
    /// <param name="prediction">Logits x.</param>
    /// <param name="target">y in [0, 1], the shape of x.</param>
    /// <param name="reduction">Mean (default) or sum over all elements, or None.</param>
    /// <exception cref="ArgumentException">The shapes differ, or a target lies outside [0, 1] (checked on the CPU only:
    /// see the remarks on <see cref="Losses"/>).</exception>
    public static Tensor LogitBinaryCrossEntropy(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape("LogitBinaryCrossEntropy", prediction, target);
        TargetInUnitInterval("LogitBinaryCrossEntropy", target);
        // y·softplus(−x) + (1 − y)·softplus(x) equals softplus(x) − x·y, but as a sum of two non-negative terms it keeps
        // its relative accuracy where the difference cancels (x = 17, y = 1: 4.1e-8, not 0).
        return Reduce(target * (-prediction).Softplus() + (1f - target) * prediction.Softplus(), reduction, "LogitBinaryCrossEntropy");
    }

    private static void SameShape(string loss, Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Shape != target.Shape)
            throw new ArgumentException($"{loss}: prediction {prediction.Shape} and target {target.Shape} have different shapes");
    }

    // Targets outside [0, 1] (NaN included) make the cross-entropy unbounded below. Host memory only (see remarks).
    private static void TargetInUnitInterval(string loss, Tensor target)
    {
        if (!target.TryGetHostSpan(out var y)) return;
        for (int i = 0; i < y.Length; i++)
            if (!(y[i] >= 0f && y[i] <= 1f))
                throw new ArgumentException($"{loss}: targets must lie in [0, 1], found {Text(y[i])} at element {i} of target {target.Shape}");
    }

    // Predictions of a probability form: outside [0, 1] they are logits given to the wrong loss. NaN passes (it makes
    // the loss NaN, which training reports with its epoch and batch). Host memory only (see remarks).
    private static void Probabilities(string loss, string logitLoss, Tensor prediction)
    {
        if (!prediction.TryGetHostSpan(out var p)) return;
        for (int i = 0; i < p.Length; i++)
            if (p[i] < 0f || p[i] > 1f)
                throw new ArgumentException(
                    $"{loss}: predictions must be probabilities in [0, 1], found {Text(p[i])} at element {i} of prediction {prediction.Shape}; " +
                    $"for logits (scores before the sigmoid or softmax) use {logitLoss}");
    }

    private static string Text(float v) => v.ToString(CultureInfo.InvariantCulture);

    private static Tensor Reduce(Tensor losses, Reduction reduction, string loss) => reduction switch
    {
        Reduction.Mean => losses.Mean(),
        Reduction.Sum => losses.Sum(),
        Reduction.None => losses,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{loss}: unknown reduction"),
    };

    /// <summary>
    /// <see cref="Mse(Tensor, Tensor, Reduction)"/> with its defaults (mean reduction): the
    /// two-argument form a method group needs to stand as a loss function, as in <c>model.Fit(Losses.Mse, …)</c>.
    /// </summary>
    public static Tensor Mse(Tensor prediction, Tensor target) => Mse(prediction, target, Reduction.Mean);

    /// <summary>
    /// <see cref="Mae(Tensor, Tensor, Reduction)"/> with its defaults (mean reduction): the
    /// two-argument form a method group needs to stand as a loss function, as in <c>model.Fit(Losses.Mae, …)</c>.
    /// </summary>
    public static Tensor Mae(Tensor prediction, Tensor target) => Mae(prediction, target, Reduction.Mean);

    /// <summary>
    /// <see cref="Huber(Tensor, Tensor, Reduction, float)"/> with its defaults (mean reduction): the
    /// two-argument form a method group needs to stand as a loss function, as in <c>model.Fit(Losses.Huber, …)</c>.
    /// </summary>
    public static Tensor Huber(Tensor prediction, Tensor target) => Huber(prediction, target, Reduction.Mean);

    /// <summary>
    /// <see cref="BinaryCrossEntropy(Tensor, Tensor, Reduction, float)"/> with its defaults (mean reduction): the
    /// two-argument form a method group needs to stand as a loss function, as in <c>model.Fit(Losses.BinaryCrossEntropy, …)</c>.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor prediction, Tensor target) => BinaryCrossEntropy(prediction, target, Reduction.Mean);

    /// <summary>
    /// <see cref="LogitBinaryCrossEntropy(Tensor, Tensor, Reduction)"/> with its defaults (mean reduction): the
    /// two-argument form a method group needs to stand as a loss function, as in <c>model.Fit(Losses.LogitBinaryCrossEntropy, …)</c>.
    /// </summary>
    public static Tensor LogitBinaryCrossEntropy(Tensor prediction, Tensor target) => LogitBinaryCrossEntropy(prediction, target, Reduction.Mean);
}
