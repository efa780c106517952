using System.Globalization;

namespace DeepLearning;

/// <summary>Nearest-neighbour upsampling by an integer scale (PyTorch's <c>nn.Upsample(mode="nearest")</c>); see <see cref="Tensor.Upsample"/>.</summary>
public sealed class Upsample : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="scale">Repeats per pixel: <c>2</c> or <c>(2, 1)</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not positive.</exception>
    public Upsample(Size2D scale)
    {
        if (scale.Height <= 0 || scale.Width <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, $"Upsample: scale {scale} must be positive");
        Scale = scale;
    }

    /// <summary>Repeats per pixel.</summary>
    public Size2D Scale { get; }

    /// <summary><c>[batch, c, h, w]</c> → <c>[batch, c, h·sh, w·sw]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not 4-D.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Upsample(Scale);
    }

    /// <summary><c>Upsample(2×2)</c>.</summary>
    public override string ToString() => $"Upsample({Scale})";
}

/// <summary>Zero padding of the spatial axes (Keras' <c>ZeroPadding2D</c>, PyTorch's <c>nn.ZeroPad2d</c>); see <see cref="Tensor.ZeroPad2D"/>.</summary>
public sealed class ZeroPad2D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="padding">Explicit amounts.</param>
    /// <exception cref="ArgumentOutOfRangeException">An amount is negative.</exception>
    /// <exception cref="ArgumentException">The padding is <see cref="Padding.Same"/>.</exception>
    public ZeroPad2D(Padding padding)
    {
        if (padding.Top < 0 || padding.Bottom < 0 || padding.Left < 0 || padding.Right < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"ZeroPad2D: padding {padding} must not be negative");
        if (padding.IsSame) throw new ArgumentException("ZeroPad2D: padding 'same' needs a window; give explicit amounts", nameof(padding));
        Padding = padding;
    }

    /// <summary>The amounts per side.</summary>
    public Padding Padding { get; }

    /// <summary>The input surrounded by zeros.</summary>
    /// <exception cref="ArgumentException">The input is not 4-D.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.ZeroPad2D(Padding);
    }

    /// <summary><c>ZeroPad2D(1)</c>.</summary>
    public override string ToString() => $"ZeroPad2D({Padding})";
}

/// <summary>
/// Channel-wise dropout (PyTorch's <c>Dropout2d</c>, Keras' <c>SpatialDropout2D</c>): in training each whole channel of each
/// sample is zeroed with probability <see cref="P"/> and the rest scaled by <c>1/(1 − p)</c>; the identity in evaluation.
/// Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels barely regularises a
/// convolutional layer; dropping whole maps does.
/// </summary>
public sealed class ChannelDropout : Layer
{
    private long _calls;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Drop probability in [0, 1).</param>
    /// <param name="seed">Seed of the masks; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public ChannelDropout(float p, ulong? seed = null)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"ChannelDropout: probability {p} is outside [0, 1)");
        P = p;
        Seed = seed ?? Init.NextSeed();
    }

    /// <summary>The drop probability.</summary>
    public float P { get; }

    /// <summary>The seed of the masks.</summary>
    public ulong Seed { get; }

    /// <summary>In training <c>x ⊙ mask / (1 − p)</c>, one mask value per (sample, channel); in evaluation the input itself.</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 axes.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || P == 0f) return input;
        ulong call = (ulong)(Interlocked.Increment(ref _calls) - 1);
        return input.ChannelDropout(P, Seed, call << 32);
    }

    /// <summary><c>ChannelDropout(0.2)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ChannelDropout({P})");
}
