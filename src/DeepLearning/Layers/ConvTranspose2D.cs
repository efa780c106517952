namespace DeepLearning;

/// <summary>
/// A transposed 2-D convolution layer (PyTorch's <c>nn.ConvTranspose2d</c>, Keras' <c>Conv2DTranspose</c>), the learned
/// upsampling of decoders: <c>weight [in, out/groups, kh, kw]</c> and <c>bias [out]</c> in PyTorch's layout.
/// See <see cref="Tensor.ConvTranspose2D"/>.
/// </summary>
public sealed class ConvTranspose2D : Layer
{
    /// <summary>Creates the layer with weights from <paramref name="init"/> and a zero bias.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernel">Window size.</param>
    /// <param name="activation">Applied after the convolution.</param>
    /// <param name="stride">Upsampling step.</param>
    /// <param name="padding">Explicit padding removed from the output.</param>
    /// <param name="outputPadding">Extra rows and columns at the bottom and right (less than the stride or the dilation).</param>
    /// <param name="dilation">Spacing of the taps.</param>
    /// <param name="groups">Channel groups.</param>
    /// <param name="bias">Whether to learn a bias.</param>
    /// <param name="init">Weight initialiser (default <see cref="Init.GlorotUniform"/>).</param>
    /// <param name="seed">Seed of the weights.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="ArgumentException">The padding is <see cref="Padding.Same"/>.</exception>
    public ConvTranspose2D(int inChannels, int outChannels, Size2D kernel, Func<Tensor, Tensor>? activation = null, Size2D? stride = null,
        Padding padding = default, Size2D? outputPadding = null, Size2D? dilation = null, int groups = 1, bool bias = true,
        Initializer? init = null, ulong? seed = null)
    {
        ConvLayers.Check(nameof(ConvTranspose2D), inChannels, outChannels, kernel, stride ?? 1, padding, dilation ?? 1, groups);
        if (padding.IsSame) throw new ArgumentException("ConvTranspose2D: padding 'same' is not defined for a transposed convolution", nameof(padding));
        var extra = outputPadding ?? 0;
        var s = stride ?? 1;
        var d = dilation ?? 1;
        if (extra.Height < 0 || extra.Width < 0 || (extra.Height >= s.Height && extra.Height >= d.Height) || (extra.Width >= s.Width && extra.Width >= d.Width))
            throw new ArgumentOutOfRangeException(nameof(outputPadding), extra, $"ConvTranspose2D: output padding {extra} must be smaller than the stride {s} or the dilation {d}");
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = s;
        Padding = padding;
        OutputPadding = extra;
        Dilation = d;
        Groups = groups;
        Activation = activation ?? Activations.Identity;
        (Weight, Bias) = ConvLayers.Parameters(nameof(ConvTranspose2D), new Shape(inChannels, outChannels / groups, kernel.Height, kernel.Width), outChannels, bias, init, seed);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Window size.</summary>
    public Size2D Kernel { get; }

    /// <summary>Upsampling step.</summary>
    public Size2D Stride { get; }

    /// <summary>Padding removed from the output.</summary>
    public Padding Padding { get; }

    /// <summary>Extra rows and columns at the bottom and right.</summary>
    public Size2D OutputPadding { get; }

    /// <summary>Spacing of the taps.</summary>
    public Size2D Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The filters <c>[in, out/groups, kh, kw]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias <c>[out]</c>, or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>The activation applied after the convolution.</summary>
    public Func<Tensor, Tensor> Activation { get; }

    /// <summary><c>[batch, in, h, w]</c> → <c>[batch, out, (h − 1)·sh − pad + dh·(kh − 1) + output_padding + 1, …]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not 4-D or has the wrong channel count.</exception>
    public override Tensor Forward(Tensor input)
    {
        ConvLayers.CheckInput(this, input, 4, "[batch, channels, height, width]", InChannels);
        return Activation(Tensor.ConvTranspose2D(input, Weight, Bias, Stride, Padding, OutputPadding, Dilation, Groups));
    }

    /// <summary><c>ConvTranspose2D(64 => 32, 2×2, stride 2)</c> and the options that differ from the defaults.</summary>
    public override string ToString() => ConvLayers.Describe(nameof(ConvTranspose2D), $"{InChannels} => {OutChannels}, {Kernel}", Stride, Padding, Dilation, Groups, Activation, Bias is null);

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => WeightAndBias(Weight, Bias);
}
