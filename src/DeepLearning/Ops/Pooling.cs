using DeepLearning.Backends;

namespace DeepLearning;

// Pooling over the spatial axes of [batch, channels, (height,) width]. Max pooling saves the index of each window's
// maximum, so its rule is a scatter of the gradient; average pooling's rule spreads it evenly. Global pooling and
// Flatten are reductions and reshapes, whose rules already exist.
public partial class Tensor
{
    /// <summary>
    /// Max pooling of <c>[N, C, H, W]</c> (PyTorch's <c>F.max_pool2d</c>): each output is the maximum of a window of
    /// <paramref name="kernel"/> taps; padding never wins. The gradient goes to the first maximum of each window
    /// (PyTorch's rule for ties).
    /// </summary>
    /// <param name="kernel">Window size.</param>
    /// <param name="stride">Step between windows (default: the kernel size).</param>
    /// <param name="padding">Padding, at most half the window.</param>
    /// <param name="dilation">Spacing of the taps (default 1).</param>
    /// <exception cref="ArgumentException">The input is not 4-D or the window does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride or dilation is not positive, or a padding negative.</exception>
    public Tensor MaxPool2D(Size2D kernel, Size2D? stride = null, Padding padding = default, Size2D? dilation = null)
    {
        var g = PoolGeometry("MaxPool2D", kernel, stride ?? kernel, padding, dilation ?? 1);
        var y = Create(Shape.Of(g.Batch, g.InChannels, g.OutHeight, g.OutWidth), Device);
        var indices = Create(y.Shape, Device);
        Backend.MaxPool2D(g, Buffer, Offset, y.Buffer, y.Offset, indices.Buffer, indices.Offset);
        if (Tape.Record(y, this, null, MaxPoolRule) is { } node)
        {
            node.Conv = g;
            node.Saved = indices;
        }
        else indices.Dispose();
        return y;
    }

    private static readonly BackwardRule MaxPoolRule = static (n, g) =>
    {
        var dx = Create(n.A.Shape, n.A.Device);
        n.A.Backend.MaxPool2DBackward(n.Conv, g.Buffer, g.Offset, n.Saved!.Buffer, n.Saved.Offset, dx.Buffer, dx.Offset);
        n.AddToA(dx);
    };

    /// <summary>
    /// Average pooling of <c>[N, C, H, W]</c> (PyTorch's <c>F.avg_pool2d</c> with <c>count_include_pad</c>): each output
    /// is the window's sum, padding counted as zeros, divided by <c>kh·kw</c>.
    /// </summary>
    /// <param name="kernel">Window size.</param>
    /// <param name="stride">Step between windows (default: the kernel size).</param>
    /// <param name="padding">Padding, at most half the window.</param>
    /// <exception cref="ArgumentException">The input is not 4-D or the window does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride is not positive, or a padding negative.</exception>
    public Tensor AvgPool2D(Size2D kernel, Size2D? stride = null, Padding padding = default)
    {
        var g = PoolGeometry("AvgPool2D", kernel, stride ?? kernel, padding, 1);
        var y = Create(Shape.Of(g.Batch, g.InChannels, g.OutHeight, g.OutWidth), Device);
        Backend.AvgPool2D(g, Buffer, Offset, y.Buffer, y.Offset);
        if (Tape.Record(y, this, null, AvgPoolRule) is { } node) node.Conv = g;
        return y;
    }

    private static readonly BackwardRule AvgPoolRule = static (n, g) =>
    {
        var dx = Create(n.A.Shape, n.A.Device);
        n.A.Backend.AvgPool2DBackward(n.Conv, g.Buffer, g.Offset, dx.Buffer, dx.Offset);
        n.AddToA(dx);
    };

    /// <summary>Max pooling of <c>[N, C, L]</c> over windows of <paramref name="kernel"/> (stride defaults to the kernel); see <see cref="MaxPool2D"/>.</summary>
    /// <exception cref="ArgumentException">The input is not 3-D or the window does not fit.</exception>
    public Tensor MaxPool1D(int kernel, int? stride = null, Padding padding = default, int dilation = 1) =>
        As1D("MaxPool1D").MaxPool2D((1, kernel), (1, stride ?? kernel), Horizontal(padding), (1, dilation)).From1D();

    /// <summary>Average pooling of <c>[N, C, L]</c> over windows of <paramref name="kernel"/>; see <see cref="AvgPool2D"/>.</summary>
    /// <exception cref="ArgumentException">The input is not 3-D or the window does not fit.</exception>
    public Tensor AvgPool1D(int kernel, int? stride = null, Padding padding = default) =>
        As1D("AvgPool1D").AvgPool2D((1, kernel), (1, stride ?? kernel), Horizontal(padding)).From1D();

    /// <summary>Global average pooling: <c>[N, C, …]</c> → <c>[N, C]</c>, the mean over every spatial position.</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 axes.</exception>
    public Tensor GlobalAvgPool() => Spatial("GlobalAvgPool").Mean(2);

    /// <summary>Global max pooling: <c>[N, C, …]</c> → <c>[N, C]</c>, the maximum over every spatial position.</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 axes.</exception>
    public Tensor GlobalMaxPool() => Spatial("GlobalMaxPool").Max(2);

    /// <summary><c>[N, d1, d2, …]</c> → <c>[N, d1·d2·…]</c>, a view (Keras' and PyTorch's <c>Flatten</c>).</summary>
    /// <exception cref="ArgumentException">The tensor has no batch axis (rank 0).</exception>
    public Tensor Flatten()
    {
        if (Rank == 0) throw new ArgumentException($"Flatten: {Describe()} has no batch axis");
        return Reshape(Shape.Of(Shape[0], Shape.Product(1, Rank)));
    }

    private Tensor Spatial(string op)
    {
        if (Rank < 3) throw new ArgumentException($"{op}: input {Shape} must be [batch, channels, spatial…]");
        return Reshape(Shape.Of(Shape[0], Shape[1], Shape.Product(2, Rank)));
    }

    private ConvGeometry PoolGeometry(string op, Size2D kernel, Size2D stride, Padding padding, Size2D dilation)
    {
        Windows.CheckArguments(op, stride, padding, dilation, 1);
        if (Rank != 4) throw new ArgumentException($"{op}: input {Shape} must be [batch, channels, height, width]");
        var (top, oh) = Windows.Axis(op, "height", Shape, 2, kernel.Height, stride.Height, dilation.Height, padding, pooling: true);
        var (left, ow) = Windows.Axis(op, "width", Shape, 3, kernel.Width, stride.Width, dilation.Width, padding, pooling: true);
        int c = Shape[1];
        return new ConvGeometry(Shape[0], c, Shape[2], Shape[3], c, c, kernel.Height, kernel.Width, stride.Height, stride.Width,
            top, left, dilation.Height, dilation.Width, oh, ow);
    }

    private Tensor As1D(string op)
    {
        if (Rank != 3) throw new ArgumentException($"{op}: input {Shape} must be [batch, channels, length]");
        return Reshape(Shape.Of(Shape[0], Shape[1], 1, Shape[2]));
    }

    private Tensor From1D() => Reshape(Shape.Of(Shape[0], Shape[1], Shape[3]));

    private static Padding Horizontal(Padding p) => p.IsSame ? Padding.Same : Padding.Explicit(0, 0, p.Left, p.Right);
}
