using System.Globalization;

namespace DeepLearning;

/// <summary>
/// A 2-D convolution layer (PyTorch's <c>nn.Conv2d</c>, Keras' <c>Conv2D</c>, Flux's <c>Conv</c>):
/// <c>y = activation(conv(x, W) + b)</c> for <c>x [batch, in, h, w]</c>, with <c>weight [out, in/groups, kh, kw]</c> and
/// <c>bias [out]</c> in PyTorch's layout, so weights interchange. See <see cref="Tensor.Conv2D(Tensor, Tensor, Tensor?, Size2D?, Padding, Size2D?, int)"/>.
/// </summary>
/// <example><c>new Conv2D(1, 32, 3, Relu)</c>, <c>new Conv2D(32, 64, (3, 3), stride: 2, padding: Padding.Same)</c></example>
public sealed class Conv2D : Layer
{
    /// <summary>Creates the layer with weights from <paramref name="init"/> (fans <c>in·kh·kw</c> and <c>out·kh·kw</c>) and a zero bias.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernel">Window size: <c>3</c> or <c>(3, 5)</c>.</param>
    /// <param name="activation">Applied after the convolution (default identity; ReLU is fused into the kernel).</param>
    /// <param name="stride">Step between windows (default 1).</param>
    /// <param name="padding">Zero padding (default <see cref="Padding.Valid"/>).</param>
    /// <param name="dilation">Spacing of the taps (default 1).</param>
    /// <param name="groups">Channel groups; must divide both channel counts.</param>
    /// <param name="bias">Whether to learn a bias.</param>
    /// <param name="init">Weight initialiser (default <see cref="Init.GlorotUniform"/>, as Flux and Keras).</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, stride, dilation, padding or group count is out of range.</exception>
    public Conv2D(int inChannels, int outChannels, Size2D kernel, Func<Tensor, Tensor>? activation = null, Size2D? stride = null,
        Padding padding = default, Size2D? dilation = null, int groups = 1, bool bias = true, Initializer? init = null, ulong? seed = null)
    {
        ConvLayers.Check(nameof(Conv2D), inChannels, outChannels, kernel, stride ?? 1, padding, dilation ?? 1, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride ?? 1;
        Padding = padding;
        Dilation = dilation ?? 1;
        Groups = groups;
        Activation = activation ?? Activations.Identity;
        (Weight, Bias) = ConvLayers.Parameters(nameof(Conv2D), new Shape(outChannels, inChannels / groups, kernel.Height, kernel.Width), outChannels, bias, init, seed);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Window size.</summary>
    public Size2D Kernel { get; }

    /// <summary>Step between windows.</summary>
    public Size2D Stride { get; }

    /// <summary>Zero padding.</summary>
    public Padding Padding { get; }

    /// <summary>Spacing of the taps.</summary>
    public Size2D Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The filters <c>[out, in/groups, kh, kw]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias <c>[out]</c>, or null for a layer built with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <summary>The activation applied after the convolution.</summary>
    public Func<Tensor, Tensor> Activation { get; }

    /// <summary><c>activation(conv(x, W) + b)</c>: <c>[batch, in, h, w]</c> → <c>[batch, out, oh, ow]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not 4-D, has the wrong channel count, or is smaller than the window.</exception>
    public override Tensor Forward(Tensor input)
    {
        ConvLayers.CheckInput(this, input, 4, "[batch, channels, height, width]", InChannels);
        bool relu = ReferenceEquals(Activation, Activations.Relu);
        var y = Tensor.Conv2D(input, Weight, Bias, Stride, Padding, Dilation, Groups, relu);
        return relu ? y : Activation(y);
    }

    /// <summary><c>Conv2D(16 => 32, 3×3)</c>, with the options that differ from the defaults: <c>Conv2D(3 => 8, 5×5, stride 2, padding same, Relu)</c>.</summary>
    public override string ToString() => ConvLayers.Describe(nameof(Conv2D), $"{InChannels} => {OutChannels}, {Kernel}", Stride, Padding, Dilation, Groups, Activation, Bias is null);

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => WeightAndBias(Weight, Bias);
}

/// <summary>Construction checks, parameters and descriptions shared by the convolution layers.</summary>
internal static class ConvLayers
{
    public static void Check(string layer, int inChannels, int outChannels, Size2D kernel, Size2D stride, Padding padding, Size2D dilation, int groups)
    {
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, $"{layer}: input channels must be positive");
        if (outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"{layer}: output channels must be positive");
        if (kernel.Height <= 0 || kernel.Width <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"{layer}: kernel {kernel} must be positive");
        if (stride.Height <= 0 || stride.Width <= 0) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"{layer}: stride {stride} must be positive");
        if (dilation.Height <= 0 || dilation.Width <= 0) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, $"{layer}: dilation {dilation} must be positive");
        if (padding.Top < 0 || padding.Bottom < 0 || padding.Left < 0 || padding.Right < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{layer}: padding {padding} must not be negative");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{layer}: groups {groups} must divide the input channels ({inChannels}) and the output channels ({outChannels})");
    }

    /// <summary>Checks an input's rank (<paramref name="layout"/> names its axes) and channel count, naming <paramref name="layer"/>.</summary>
    public static void CheckInput(Layer layer, Tensor input, int rank, string layout, int inChannels)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != rank)
            throw new ArgumentException($"{layer}: input {input.Shape} must be {layout}", nameof(input));
        if (input.Shape[1] != inChannels)
            throw new ArgumentException($"{layer}: input has {input.Shape[1]} channels, expected {inChannels} (input shape {input.Shape})", nameof(input));
    }

    public static (Parameter Weight, Parameter? Bias) Parameters(string layer, Shape shape, int biasLength, bool bias, Initializer? init, ulong? seed)
    {
        // The parameters copy their initial values; the scope releases what the initialiser made for them.
        using var scope = TensorScope.Begin();
        var w = (init ?? Init.GlorotUniform)(shape, seed ?? Init.NextSeed());
        if (w.Shape != shape)
            throw new ArgumentException($"{layer}: the initialiser returned {w.Shape}, expected {shape}", nameof(init));
        return (new Parameter(w, "weight"), bias ? new Parameter(Tensor.Zeros(new Shape(biasLength)), "bias") : null);
    }

    public static string Describe(string layer, string sizes, Size2D stride, Padding padding, Size2D dilation, int groups, Func<Tensor, Tensor> activation, bool noBias)
    {
        var parts = new List<string> { sizes };
        if (stride != new Size2D(1, 1)) parts.Add($"stride {Pair(stride)}");
        if (padding != Padding.Valid) parts.Add($"padding {padding}");
        if (dilation != new Size2D(1, 1)) parts.Add($"dilation {Pair(dilation)}");
        if (groups != 1) parts.Add(string.Create(CultureInfo.InvariantCulture, $"groups {groups}"));
        var act = Activations.NameOf(activation);
        if (act != nameof(Activations.Identity)) parts.Add(act);
        if (noBias) parts.Add("bias: false");
        return $"{layer}({string.Join(", ", parts)})";
    }

    private static string Pair(Size2D s) => s.Height == s.Width ? s.Height.ToString(CultureInfo.InvariantCulture) : s.ToString();
}
