namespace DeepLearning;

/// <summary>
/// A depthwise 2-D convolution (Keras' <c>DepthwiseConv2D</c>; PyTorch's <c>nn.Conv2d</c> with <c>groups = in</c>): each
/// input channel is convolved with its own filters (the depth multiplier of them), <c>weight [in·multiplier, 1, kh, kw]</c>.
/// </summary>
public sealed class DepthwiseConv2D : Layer
{
    /// <summary>Creates the layer with weights from <paramref name="init"/> (fans <c>kh·kw</c>, <c>multiplier·kh·kw</c>) and a zero bias.</summary>
    /// <param name="channels">Input channels.</param>
    /// <param name="kernel">Window size.</param>
    /// <param name="depthMultiplier">Filters per input channel (output channels = channels · multiplier).</param>
    /// <param name="activation">Applied after the convolution (ReLU is fused).</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zero padding.</param>
    /// <param name="dilation">Spacing of the taps.</param>
    /// <param name="bias">Whether to learn a bias.</param>
    /// <param name="init">Weight initialiser (default <see cref="Init.GlorotUniform"/>).</param>
    /// <param name="seed">Seed of the weights.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public DepthwiseConv2D(int channels, Size2D kernel, int depthMultiplier = 1, Func<Tensor, Tensor>? activation = null, Size2D? stride = null,
        Padding padding = default, Size2D? dilation = null, bool bias = true, Initializer? init = null, ulong? seed = null)
    {
        if (depthMultiplier <= 0) throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier, "DepthwiseConv2D: the depth multiplier must be positive");
        Conv = new Conv2D(channels, channels * depthMultiplier, kernel, activation, stride, padding, dilation, channels, bias, init, seed);
        DepthMultiplier = depthMultiplier;
    }

    private Conv2D Conv { get; }

    /// <summary>Filters per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>The filters <c>[channels·multiplier, 1, kh, kw]</c>.</summary>
    public Parameter Weight => Conv.Weight;

    /// <summary>The bias <c>[channels·multiplier]</c>, or null.</summary>
    public Parameter? Bias => Conv.Bias;

    /// <summary><c>[batch, channels, h, w]</c> → <c>[batch, channels·multiplier, oh, ow]</c>.</summary>
    /// <exception cref="ArgumentException">The input does not fit.</exception>
    public override Tensor Forward(Tensor input)
    {
        try
        {
            return Conv.Forward(input);
        }
        catch (ArgumentException e) when (e.Message.StartsWith(Conv.ToString(), StringComparison.Ordinal))
        {
            // Name this layer, not the convolution it delegates to.
            throw new ArgumentException(ToString() + e.Message[Conv.ToString().Length..], e);
        }
    }

    /// <summary><c>DepthwiseConv2D(32, 3×3)</c> and the options that differ from the defaults.</summary>
    public override string ToString() => ConvLayers.Describe(nameof(DepthwiseConv2D),
        $"{Conv.InChannels}, {Conv.Kernel}" + (DepthMultiplier == 1 ? "" : FormattableString.Invariant($", multiplier {DepthMultiplier}")),
        Conv.Stride, Conv.Padding, Conv.Dilation, 1, Conv.Activation, Conv.Bias is null);

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => WeightAndBias(Weight, Bias);
}
