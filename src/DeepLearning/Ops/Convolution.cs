using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning;

// Convolutions, layout [batch, channels, (height,) width], weights [out, in/groups, kh, kw] as PyTorch. Conv2D is one
// backend kernel (bias and ReLU fused) with one rule that asks the backend for dx, dW and db in a single pass;
// Conv1D is Conv2D over height 1; the transposed convolution is Conv2D's backward run forwards, and its rule is
// Conv2D's forward (for the input) and Conv2D's weight gradient with the roles of input and gradient swapped.
public partial class Tensor
{
    /// <summary>
    /// 2-D convolution (cross-correlation, PyTorch's <c>F.conv2d</c>): input <c>[N, C, H, W]</c>, weight
    /// <c>[O, C/groups, kh, kw]</c>, bias <c>[O]</c> → <c>[N, O, OH, OW]</c> with
    /// <c>OH = ⌊(H + pad_top + pad_bottom − dilation·(kh − 1) − 1) / stride⌋ + 1</c> (OW likewise).
    /// </summary>
    /// <param name="input">Images <c>[N, C, H, W]</c>.</param>
    /// <param name="weight">Filters <c>[O, C/groups, kh, kw]</c>.</param>
    /// <param name="bias">One value per output channel, or null.</param>
    /// <param name="stride">Step between windows (default 1).</param>
    /// <param name="padding">Zero padding (default none).</param>
    /// <param name="dilation">Spacing of a window's taps (default 1).</param>
    /// <param name="groups">Channel groups; <c>groups = C</c> with <c>O = k·C</c> is a depthwise convolution.</param>
    /// <exception cref="ArgumentException">Shapes do not fit (ranks, channels, groups, a window larger than the padded input).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride or dilation is not positive, a padding negative, groups not positive.</exception>
    public static Tensor Conv2D(Tensor input, Tensor weight, Tensor? bias = null, Size2D? stride = null, Padding padding = default,
        Size2D? dilation = null, int groups = 1) =>
        Conv2D(input, weight, bias, stride ?? 1, padding, dilation ?? 1, groups, relu: false);

    /// <summary><see cref="Conv2D(Tensor, Tensor, Tensor?, Size2D?, Padding, Size2D?, int)"/>, followed by ReLU when <paramref name="relu"/>, in one kernel.</summary>
    internal static Tensor Conv2D(Tensor input, Tensor weight, Tensor? bias, Size2D stride, Padding padding, Size2D dilation, int groups, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        const string op = "Conv2D";
        Kernels.SameDevice(op, input, weight);
        Windows.CheckArguments(op, stride, padding, dilation, groups);
        if (input.Rank != 4) throw new ArgumentException($"{op}: input {input.Shape} must be [batch, channels, height, width]", nameof(input));
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight {weight.Shape} must be [out, in/groups, kh, kw]", nameof(weight));
        int n = input.Shape[0], c = input.Shape[1], o = weight.Shape[0];
        if (c % groups != 0 || o % groups != 0)
            throw new ArgumentException($"{op}: groups {groups} must divide the input channels ({c}, input {input.Shape}) and the output channels ({o}, weight {weight.Shape})", nameof(groups));
        if (weight.Shape[1] * groups != c)
            throw new ArgumentException($"{op}: input {input.Shape} has {c} channels, weight {weight.Shape} expects {weight.Shape[1] * groups}"
                + (groups == 1 ? "" : $" ({weight.Shape[1]} per group × {groups} groups)"), nameof(input));
        if (bias is not null)
        {
            Kernels.SameDevice(op, input, bias);
            if (bias.Rank != 1 || bias.Shape[0] != o)
                throw new ArgumentException($"{op}: bias {bias.Shape} does not fit weight {weight.Shape} (expected [{o}])", nameof(bias));
        }
        var (top, oh) = Windows.Axis(op, "height", input.Shape, 2, weight.Shape[2], stride.Height, dilation.Height, padding, pooling: false);
        var (left, ow) = Windows.Axis(op, "width", input.Shape, 3, weight.Shape[3], stride.Width, dilation.Width, padding, pooling: false);
        var g = new ConvGeometry(n, c, input.Shape[2], input.Shape[3], o, groups, weight.Shape[2], weight.Shape[3],
            stride.Height, stride.Width, top, left, dilation.Height, dilation.Width, oh, ow);
        var y = Create(Shape.Of(n, o, oh, ow), input.Device);
        input.Backend.Conv2D(g, input.Buffer, input.Offset, weight.Buffer, weight.Offset, bias?.Buffer, bias?.Offset ?? 0, relu, y.Buffer, y.Offset);
        if (Tape.Record(y, input, weight, bias, Conv2DRule) is { } node)
        {
            node.Conv = g;
            node.Int = relu ? 1 : 0;
        }
        return y;
    }

    // y = f(conv(x, W) + b):  gz = g ⊙ f′ (ReLU's [y > 0] read from y);  dx = convᵀ(gz, W) (col2im of Wᵀ·gz),
    // dW = Σ_images gz·im2col(x)ᵀ,  db = Σ_{images, pixels} gz — one backend pass for all three.
    private static readonly BackwardRule Conv2DRule = static (n, g) =>
    {
        var tape = Tape.Current!;
        Tensor x = n.A, w = n.B!;
        var b = n.C;
        var dx = tape.Tracks(x) ? Create(x.Shape, x.Device) : null;
        var dw = tape.Tracks(w) ? Create(w.Shape, w.Device) : null;
        var db = b is not null && tape.Tracks(b) ? Create(b.Shape, b.Device) : null;
        // The CPU backend gates g by [y > 0] where it reads g, instead of writing the gated gradient out first.
        if (n.Int == 1 && x.Backend is CpuBackend cpu)
            cpu.Conv2DBackward(n.Conv, x.Buffer, x.Offset, w.Buffer, w.Offset, n.Output.Buffer, n.Output.Offset, g.Buffer, g.Offset,
                dx?.Buffer, dx?.Offset ?? 0, dw?.Buffer, dw?.Offset ?? 0, db?.Buffer, db?.Offset ?? 0);
        else
        {
            var gz = n.Int == 1 ? Kernels.UnaryBackward(UnaryOp.Relu, 0, n.Output, n.Output, g) : g;
            x.Backend.Conv2DBackward(n.Conv, x.Buffer, x.Offset, w.Buffer, w.Offset, gz.Buffer, gz.Offset,
                dx?.Buffer, dx?.Offset ?? 0, dw?.Buffer, dw?.Offset ?? 0, db?.Buffer, db?.Offset ?? 0);
        }
        if (dx is not null) tape.Accumulate(x, dx);
        if (dw is not null) tape.Accumulate(w, dw);
        if (db is not null) tape.Accumulate(b!, db);
    };

    /// <summary>
    /// 1-D convolution (PyTorch's <c>F.conv1d</c>): input <c>[N, C, L]</c>, weight <c>[O, C/groups, k]</c>, bias
    /// <c>[O]</c> → <c>[N, O, OL]</c>, <c>OL = ⌊(L + pad_left + pad_right − dilation·(k − 1) − 1) / stride⌋ + 1</c>.
    /// An explicit <paramref name="padding"/> uses its left and right amounts (an <c>int</c> pads both ends).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride or dilation is not positive, a padding negative, groups not positive.</exception>
    public static Tensor Conv1D(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, Padding padding = default, int dilation = 1, int groups = 1) =>
        Conv1D(input, weight, bias, stride, padding, dilation, groups, relu: false);

    /// <summary><see cref="Conv1D(Tensor, Tensor, Tensor?, int, Padding, int, int)"/> with ReLU fused when <paramref name="relu"/>.</summary>
    internal static Tensor Conv1D(Tensor input, Tensor weight, Tensor? bias, int stride, Padding padding, int dilation, int groups, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 3) throw new ArgumentException($"Conv1D: input {input.Shape} must be [batch, channels, length]", nameof(input));
        if (weight.Rank != 3) throw new ArgumentException($"Conv1D: weight {weight.Shape} must be [out, in/groups, k]", nameof(weight));
        if (groups > 0 && weight.Shape[1] * groups != input.Shape[1])
            throw new ArgumentException($"Conv1D: input {input.Shape} has {input.Shape[1]} channels, weight {weight.Shape} expects {weight.Shape[1] * groups}", nameof(input));
        var p = padding.IsSame ? Padding.Same : Padding.Explicit(0, 0, padding.Left, padding.Right);
        var x4 = input.Reshape(Shape.Of(input.Shape[0], input.Shape[1], 1, input.Shape[2]));
        var w4 = weight.Reshape(Shape.Of(weight.Shape[0], weight.Shape[1], 1, weight.Shape[2]));
        var y = Conv2D(x4, w4, bias, (1, stride), p, (1, dilation), groups, relu);
        return y.Reshape(Shape.Of(y.Shape[0], y.Shape[1], y.Shape[3]));
    }

    /// <summary>
    /// Transposed 2-D convolution (PyTorch's <c>F.conv_transpose2d</c>, the gradient of <see cref="Conv2D(Tensor, Tensor, Tensor?, Size2D?, Padding, Size2D?, int)"/>
    /// w.r.t. its input): input <c>[N, C, H, W]</c>, weight <c>[C, O/groups, kh, kw]</c>, bias <c>[O]</c> →
    /// <c>[N, O, OH, OW]</c>, <c>OH = (H − 1)·stride − pad_top − pad_bottom + dilation·(kh − 1) + output_padding + 1</c>.
    /// </summary>
    /// <param name="input">Images <c>[N, C, H, W]</c>.</param>
    /// <param name="weight">Filters <c>[C, O/groups, kh, kw]</c>.</param>
    /// <param name="bias">One value per output channel, or null.</param>
    /// <param name="stride">Upsampling step (default 1).</param>
    /// <param name="padding">Explicit padding removed from the output (<see cref="Padding.Same"/> is not defined here).</param>
    /// <param name="outputPadding">Extra rows and columns at the bottom and right, smaller than the stride or the dilation.</param>
    /// <param name="dilation">Spacing of the taps.</param>
    /// <param name="groups">Channel groups.</param>
    /// <exception cref="ArgumentException">Shapes do not fit, or the output would be empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static Tensor ConvTranspose2D(Tensor input, Tensor weight, Tensor? bias = null, Size2D? stride = null, Padding padding = default,
        Size2D? outputPadding = null, Size2D? dilation = null, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        const string op = "ConvTranspose2D";
        var s = stride ?? 1;
        var d = dilation ?? 1;
        var extra = outputPadding ?? 0;
        Kernels.SameDevice(op, input, weight);
        Windows.CheckArguments(op, s, padding, d, groups);
        if (padding.IsSame) throw new ArgumentException($"{op}: padding 'same' is not defined for a transposed convolution; give explicit amounts", nameof(padding));
        if (input.Rank != 4) throw new ArgumentException($"{op}: input {input.Shape} must be [batch, channels, height, width]", nameof(input));
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight {weight.Shape} must be [in, out/groups, kh, kw]", nameof(weight));
        int n = input.Shape[0], c = input.Shape[1], o = weight.Shape[1] * groups;
        if (weight.Shape[0] != c || c % groups != 0)
            throw new ArgumentException($"{op}: input {input.Shape} has {c} channels, weight {weight.Shape} expects {weight.Shape[0]} (groups {groups} must divide it)", nameof(input));
        if (extra.Height < 0 || extra.Width < 0 || (extra.Height >= s.Height && extra.Height >= d.Height) || (extra.Width >= s.Width && extra.Width >= d.Width))
            throw new ArgumentOutOfRangeException(nameof(outputPadding), $"{op}: output padding {extra} must be non-negative and smaller than the stride {s} or the dilation {d}");
        int oh = (input.Shape[2] - 1) * s.Height - padding.Top - padding.Bottom + d.Height * (weight.Shape[2] - 1) + extra.Height + 1;
        int ow = (input.Shape[3] - 1) * s.Width - padding.Left - padding.Right + d.Width * (weight.Shape[3] - 1) + extra.Width + 1;
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: input {input.Shape} with weight {weight.Shape}, stride {s} and padding {padding} gives an empty output [{oh}, {ow}]", nameof(padding));
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != o))
            throw new ArgumentException($"{op}: bias {bias.Shape} does not fit {o} output channels (expected [{o}])", nameof(bias));
        // The convolution this one transposes maps [n, o, oh, ow] to the input's [n, c, h, w].
        var g = new ConvGeometry(n, o, oh, ow, c, groups, weight.Shape[2], weight.Shape[3], s.Height, s.Width,
            padding.Top, padding.Left, d.Height, d.Width, input.Shape[2], input.Shape[3]);
        var y = Create(Shape.Of(n, o, oh, ow), input.Device);
        input.Backend.Conv2DBackward(g, input.Buffer, input.Offset, weight.Buffer, weight.Offset, input.Buffer, input.Offset,
            y.Buffer, y.Offset, null, 0, null, 0);
        if (Tape.Record(y, input, weight, ConvTransposeRule) is { } node) node.Conv = g;
        return bias is null ? y : y + bias.Reshape(Shape.Of(1, o, 1, 1));
    }

    // y = convᵀ(x, W):  dx = conv(gy, W) (the forward convolution),  dW = Σ_images x·im2col(gy)ᵀ (Conv2D's weight gradient
    // with the upstream gradient as its input and x as its output gradient).
    private static readonly BackwardRule ConvTransposeRule = static (n, g) =>
    {
        var tape = Tape.Current!;
        Tensor x = n.A, w = n.B!;
        if (tape.Tracks(x))
        {
            var dx = Create(x.Shape, x.Device);
            x.Backend.Conv2D(n.Conv, g.Buffer, g.Offset, w.Buffer, w.Offset, null, 0, false, dx.Buffer, dx.Offset);
            tape.Accumulate(x, dx);
        }
        if (tape.Tracks(w))
        {
            var dw = Create(w.Shape, w.Device);
            x.Backend.Conv2DBackward(n.Conv, g.Buffer, g.Offset, w.Buffer, w.Offset, x.Buffer, x.Offset, null, 0, dw.Buffer, dw.Offset, null, 0);
            tape.Accumulate(w, dw);
        }
    };
}

/// <summary>Argument checks and output sizes shared by the convolution and pooling ops.</summary>
internal static class Windows
{
    public static void CheckArguments(string op, Size2D stride, Padding padding, Size2D dilation, int groups)
    {
        if (stride.Height <= 0 || stride.Width <= 0)
            throw new ArgumentOutOfRangeException(nameof(stride), $"{op}: stride {stride} must be positive");
        if (dilation.Height <= 0 || dilation.Width <= 0)
            throw new ArgumentOutOfRangeException(nameof(dilation), $"{op}: dilation {dilation} must be positive");
        if (padding.IsNegative)
            throw new ArgumentOutOfRangeException(nameof(padding), $"{op}: padding {padding} must not be negative");
        if (groups <= 0)
            throw new ArgumentOutOfRangeException(nameof(groups), $"{op}: groups {groups} must be positive");
    }

    /// <summary>
    /// The padding before axis <paramref name="axis"/> of <paramref name="input"/> and the output size along it; for
    /// pooling, padding may not exceed half the window (PyTorch's rule: a window never lies wholly in the padding).
    /// </summary>
    public static (int Before, int Out) Axis(string op, string name, Shape input, int axis, int kernel, int stride, int dilation, Padding padding, bool pooling)
    {
        int size = input[axis];
        var (before, after) = padding.Resolve(name == "height", size, kernel, stride, dilation);
        int span = dilation * (kernel - 1) + 1;
        if (kernel <= 0) throw new ArgumentException($"{op}: kernel {name} {kernel} must be positive (input {input})");
        if (pooling && (before > span / 2 || after > span / 2))
            throw new ArgumentException($"{op}: padding {padding} must be at most half the window ({span} along the {name}), input {input}", nameof(padding));
        if (size + before + after < span)
            throw new ArgumentException($"{op}: the window ({span} along the {name}) is larger than the padded input ({size + before + after}: input {input}, padding {padding})");
        return (before, (size + before + after - span) / stride + 1);
    }
}
