using System.Globalization;

namespace DeepLearning;

/// <summary>
/// Layer normalisation over the last axis (PyTorch's <c>nn.LayerNorm(features)</c>, Keras' <c>LayerNormalization</c>):
/// each row is normalised by its own mean and variance, <c>y = γ ⊙ (x − μ)/√(σ² + ε) + β</c>, the same in training and
/// evaluation. Parameters <c>weight</c> (γ, ones) and <c>bias</c> (β, zeros). See <see cref="Tensor.LayerNorm"/>.
/// </summary>
public sealed class LayerNorm : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="features">Size of the last axis of the input.</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or epsilon is not positive.</exception>
    public LayerNorm(int features, float epsilon = 1e-5f)
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "LayerNorm: features must be positive");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "LayerNorm: epsilon must be positive");
        Features = features;
        Epsilon = epsilon;
        using var scope = TensorScope.Begin();
        Weight = new Parameter(Tensor.Ones(new Shape(features)), "weight");
        Bias = new Parameter(Tensor.Zeros(new Shape(features)), "bias");
    }

    /// <summary>Size of the last axis of the input.</summary>
    public int Features { get; }

    /// <summary>Added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>Scale γ <c>[features]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>Shift β <c>[features]</c>.</summary>
    public Parameter Bias { get; }

    /// <summary>Normalises each row of <paramref name="input"/> <c>[…, features]</c>.</summary>
    /// <exception cref="ArgumentException">The last axis is not <see cref="Features"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Shape[-1] != Features)
            throw new ArgumentException(input.Rank == 0
                ? $"{this}: input is a scalar, expected [..., {Features}]"
                : $"{this}: input has {input.Shape[-1]} features (last axis), expected {Features} (input shape {input.Shape})");
        return Tensor.LayerNorm(input, Weight, Bias, Epsilon);
    }

    /// <summary><c>LayerNorm(64)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"LayerNorm({Features})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters()
    {
        yield return new("weight", Weight);
        yield return new("bias", Bias);
    }
}
