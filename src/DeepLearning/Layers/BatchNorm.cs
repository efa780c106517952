using System.Globalization;

namespace DeepLearning;

/// <summary>
/// Batch normalisation over axis 1 (features of <c>[batch, features]</c>, channels of <c>[batch, channels, h, w]</c>):
/// <c>y = γ (x − μ) / √(σ² + ε) + β</c> per feature. Training uses the batch's mean and biased variance and updates the
/// running statistics (<c>running ← (1 − momentum)·running + momentum·batch</c>, the variance unbiased, as PyTorch);
/// evaluation uses the running statistics. See <see cref="Tensor.BatchNorm"/>.
/// </summary>
/// <remarks>Parameters <c>weight</c> (γ, ones) and <c>bias</c> (β, zeros); buffers <c>running_mean</c> (zeros) and <c>running_var</c> (ones).</remarks>
public sealed class BatchNorm : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="features">Size of axis 1 of the input.</param>
    /// <param name="momentum">Weight of each new batch in the running statistics (PyTorch's convention; Flux's default 0.1 too).</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or hyper-parameter is out of range.</exception>
    public BatchNorm(int features, float momentum = 0.1f, float epsilon = 1e-5f)
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "BatchNorm: features must be positive");
        if (!(momentum >= 0f && momentum <= 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "BatchNorm: momentum must be in [0, 1]");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "BatchNorm: epsilon must be positive");
        Features = features;
        Momentum = momentum;
        Epsilon = epsilon;
        var shape = new Shape(features);
        using var scope = TensorScope.Begin();
        Weight = new Parameter(Tensor.Ones(shape), "weight");
        Bias = new Parameter(Tensor.Zeros(shape), "bias");
        RunningMean = Tensor.Persistent(Tensor.Zeros(shape), "running_mean");
        RunningVar = Tensor.Persistent(Tensor.Ones(shape), "running_var");
    }

    /// <summary>Size of axis 1 of the input.</summary>
    public int Features { get; }

    /// <summary>Weight of each new batch in the running statistics.</summary>
    public float Momentum { get; }

    /// <summary>Added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>Scale γ <c>[features]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>Shift β <c>[features]</c>.</summary>
    public Parameter Bias { get; }

    /// <summary>Running mean <c>[features]</c> (a buffer, updated in training).</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (unbiased) variance <c>[features]</c> (a buffer, updated in training).</summary>
    public Tensor RunningVar { get; }

    /// <summary>Normalises <paramref name="input"/> <c>[batch, features, …]</c>.</summary>
    /// <exception cref="ArgumentException">Axis 1 is not <see cref="Features"/>, or training on one value per feature.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2 || input.Shape[1] != Features)
            throw new ArgumentException(input.Rank < 2
                ? $"{this}: input {input.Shape} needs a batch axis and a feature axis, expected [batch, {Features}, …]"
                : $"{this}: input has {input.Shape[1]} features (axis 1), expected {Features} (input shape {input.Shape})");
        try
        {
            return Tensor.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, IsTraining, Momentum, Epsilon);
        }
        catch (ArgumentException e)
        {
            // The op names itself ("BatchNorm: …"); the layer's own name replaces it rather than preceding it.
            const string op = "BatchNorm: ";
            var reason = e.Message.StartsWith(op, StringComparison.Ordinal) ? e.Message[op.Length..] : e.Message;
            throw new ArgumentException($"{this}: {reason}", e);
        }
    }

    /// <summary><c>BatchNorm(64)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"BatchNorm({Features})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters()
    {
        yield return new("weight", Weight);
        yield return new("bias", Bias);
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Tensor>> OwnBuffers()
    {
        yield return new("running_mean", RunningMean);
        yield return new("running_var", RunningVar);
    }
}
