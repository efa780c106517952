namespace DeepLearning;

/// <summary>
/// A 1-D convolution layer over signals <c>[batch, in, length]</c> (PyTorch's <c>nn.Conv1d</c>): <c>weight [out, in/groups, k]</c>,
/// <c>bias [out]</c>. See <see cref="Tensor.Conv1D(Tensor, Tensor, Tensor?, int, Padding, int, int)"/>.
/// </summary>
public sealed class Conv1D : Layer
{
    /// <summary>Creates the layer with weights from <paramref name="init"/> (fans <c>in·k</c>, <c>out·k</c>) and a zero bias.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernel">Window length.</param>
    /// <param name="activation">Applied after the convolution (ReLU is fused).</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zero padding: <see cref="Padding.Same"/>, an amount for both ends, or <see cref="Padding.Explicit"/> (left, right).</param>
    /// <param name="dilation">Spacing of the taps.</param>
    /// <param name="groups">Channel groups.</param>
    /// <param name="bias">Whether to learn a bias.</param>
    /// <param name="init">Weight initialiser (default <see cref="Init.GlorotUniform"/>).</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public Conv1D(int inChannels, int outChannels, int kernel, Func<Tensor, Tensor>? activation = null, int stride = 1,
        Padding padding = default, int dilation = 1, int groups = 1, bool bias = true, Initializer? init = null, ulong? seed = null)
    {
        ConvLayers.Check(nameof(Conv1D), inChannels, outChannels, (1, kernel), (1, stride), padding, (1, dilation), groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Activation = activation ?? Activations.Identity;
        (Weight, Bias) = ConvLayers.Parameters(nameof(Conv1D), new Shape(outChannels, inChannels / groups, kernel), outChannels, bias, init, seed);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Window length.</summary>
    public int Kernel { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zero padding.</summary>
    public Padding Padding { get; }

    /// <summary>Spacing of the taps.</summary>
    public int Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The filters <c>[out, in/groups, k]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias <c>[out]</c>, or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>The activation applied after the convolution.</summary>
    public Func<Tensor, Tensor> Activation { get; }

    /// <summary><c>[batch, in, length]</c> → <c>[batch, out, out_length]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not 3-D, has the wrong channel count, or is shorter than the window.</exception>
    public override Tensor Forward(Tensor input)
    {
        ConvLayers.CheckInput(this, input, 3, "[batch, channels, length]", InChannels);
        bool relu = ReferenceEquals(Activation, Activations.Relu);
        var y = Tensor.Conv1D(input, Weight, Bias, Stride, Padding, Dilation, Groups, relu);
        return relu ? y : Activation(y);
    }

    /// <summary><c>Conv1D(4 => 8, 5)</c> and the options that differ from the defaults.</summary>
    public override string ToString() => ConvLayers.Describe(nameof(Conv1D), $"{InChannels} => {OutChannels}, {Kernel}", Stride, Padding, Dilation, Groups, Activation, Bias is null);

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => WeightAndBias(Weight, Bias);
}
