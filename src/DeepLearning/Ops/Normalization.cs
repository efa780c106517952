namespace DeepLearning;

// Batch normalisation over axis 1 (features of [N, C], channels of [N, C, H, W]). The training form is one op with a
// hand-written rule on fused kernels (statistics, normalisation, backward): composed from primitives it would record
// ~10 nodes and keep their intermediates alive, while the closed form needs only x and the batch statistics.
// Evaluation with running statistics is an affine map, composed from recorded ops.
public partial class Tensor
{
    /// <summary>
    /// Batch normalisation over axis 1 (PyTorch's <c>F.batch_norm</c>). Training: per channel c,
    /// <c>y = γ_c (x − μ_c) / √(σ²_c + ε) + β_c</c> with the batch mean μ and biased variance σ² over every axis but 1,
    /// and the running statistics, when given, updated in place:
    /// <c>running_mean ← (1 − momentum)·running_mean + momentum·μ</c>, <c>running_var</c> likewise with the unbiased
    /// variance <c>σ²·m/(m − 1)</c> (m values per channel). Evaluation: the same map with the running statistics.
    /// </summary>
    /// <param name="x">Input <c>[N, C]</c> or <c>[N, C, …]</c>.</param>
    /// <param name="runningMean">Running mean <c>[C]</c> (required for evaluation, optional for training).</param>
    /// <param name="runningVar">Running variance <c>[C]</c>, like <paramref name="runningMean"/>.</param>
    /// <param name="weight">Scale γ <c>[C]</c>.</param>
    /// <param name="bias">Shift β <c>[C]</c>.</param>
    /// <param name="training">Whether to normalise with the batch statistics (and update the running ones).</param>
    /// <param name="momentum">Weight of the new batch in the running averages.</param>
    /// <param name="epsilon">Added to the variance for stability.</param>
    /// <exception cref="ArgumentException">Shapes do not fit, running statistics are missing in evaluation, or a channel
    /// has a single value in training (its variance is undefined).</exception>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor weight, Tensor bias,
        bool training, float momentum = 0.1f, float epsilon = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm: input {x.Shape} needs a batch axis and a channel axis ([N, C] or [N, C, …])");
        int n = x.Shape[0], c = x.Shape[1], s = x.Shape.Product(2, x.Rank), m = n * s;
        var channel = Shape.Of([c]);
        CheckChannel("weight", weight, channel, x);
        CheckChannel("bias", bias, channel, x);
        CheckChannel("running_mean", runningMean, channel, x);
        CheckChannel("running_var", runningVar, channel, x);
        var cs = Shape.Of([1, c, 1]);
        var s3 = Shape.Of([n, c, s]);
        if (!training)
        {
            if (runningMean is null || runningVar is null)
                throw new ArgumentException("BatchNorm: evaluation needs the running mean and variance");
            var scale = weight.Reshape(cs) / (runningVar.Reshape(cs) + epsilon).Sqrt();
            return ((x.Reshape(s3) - runningMean.Reshape(cs)) * scale + bias.Reshape(cs)).Reshape(x.Shape);
        }
        if (m < 2) throw new ArgumentException($"BatchNorm: expected more than 1 value per channel when training, got input {x.Shape}");

        // Two kernels: the statistics (updating the running ones, which see the batch statistics as constants: no
        // gradient flows into buffers), then the normalisation. The rule needs only x and the statistics.
        var mean = Create(channel, x.Device);
        var variance = Create(channel, x.Device);
        x.Backend.BatchNormStatistics(x.Buffer, x.Offset, n, c, s, mean.Buffer, mean.Offset, variance.Buffer, variance.Offset,
            runningMean?.Buffer, runningMean?.Offset ?? 0, runningVar?.Buffer, runningVar?.Offset ?? 0, momentum);
        var y = Create(x.Shape, x.Device);
        x.Backend.BatchNormForward(x.Buffer, x.Offset, n, c, s, mean.Buffer, mean.Offset, variance.Buffer, variance.Offset, epsilon,
            weight.Buffer, weight.Offset, bias.Buffer, bias.Offset, y.Buffer, y.Offset);
        if (Tape.Record(y, x, weight, bias, BatchNormRule) is { } node)
        {
            node.Saved = mean;
            node.Saved2 = variance;
            node.Alpha = epsilon;
        }
        return y;
    }

    private static void CheckChannel(string name, Tensor? t, Shape channel, Tensor x)
    {
        if (t is not null && t.Shape != channel)
            throw new ArgumentException($"BatchNorm: {name} has shape {t.Shape}, expected {channel} for input {x.Shape}");
    }

    /// <summary>Overwrites <paramref name="target"/>'s elements with <paramref name="value"/>'s (same shape).</summary>
    internal static void UpdateInPlace(Tensor target, Tensor value) =>
        target.Backend.CopyBlocks(value.Buffer, value.Offset, 0, target.Buffer, target.Offset, 0, target.Length, 1);

    /// <summary>A tensor that belongs to no scope (layer buffers such as running statistics), holding <paramref name="value"/>'s elements.</summary>
    internal static Tensor Persistent(Tensor value, string? name)
    {
        var t = CreateUnscoped(value.Shape, value.Device);
        t.Name = name;
        UpdateInPlace(t, value);
        return t;
    }

    // With g the output gradient and means over the m values of a channel (one backend kernel):
    //   dβ = Σ g,  dγ = Σ g·x̂,  dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂))
    // (the last two terms are the gradient flowing through μ and σ², which depend on every x of the channel).
    private static readonly BackwardRule BatchNormRule = static (node, g) =>
    {
        Tensor x = node.A, weight = node.B!, bias = node.C!, mean = node.Saved!, variance = node.Saved2!;
        int n = x.Shape[0], c = x.Shape[1], s = x.Shape.Product(2, x.Rank);
        var dx = Create(x.Shape, x.Device);
        var dGamma = Create(weight.Shape, x.Device);
        var dBeta = Create(bias.Shape, x.Device);
        x.Backend.BatchNormBackward(x.Buffer, x.Offset, g.Buffer, g.Offset, n, c, s, mean.Buffer, mean.Offset, variance.Buffer, variance.Offset,
            node.Alpha, weight.Buffer, weight.Offset, dx.Buffer, dx.Offset, dGamma.Buffer, dGamma.Offset, dBeta.Buffer, dBeta.Offset);
        var tape = Tape.Current!;
        tape.Accumulate(x, dx);
        tape.Accumulate(weight, dGamma);
        tape.Accumulate(bias, dBeta);
    };
}
