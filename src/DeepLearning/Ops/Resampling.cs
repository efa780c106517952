using DeepLearning.Backends;

namespace DeepLearning;

// Nearest-neighbour upsampling and zero padding of [batch, channels, height, width]: pure data movement through the
// backend's strided and block copies. Upsampling is a broadcast (each pixel repeated sh×sw times), so its rule sums
// the gradient back over the repeats; padding's rule cuts the border off the gradient.
public partial class Tensor
{
    /// <summary>
    /// Nearest-neighbour upsampling (PyTorch's <c>F.interpolate(mode="nearest")</c> with an integer scale):
    /// <c>[N, C, H, W]</c> → <c>[N, C, H·sh, W·sw]</c>, <c>y[n, c, i, j] = x[n, c, i / sh, j / sw]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 4-D.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not positive.</exception>
    public Tensor Upsample(Size2D scale)
    {
        if (scale.Height <= 0 || scale.Width <= 0) throw new ArgumentOutOfRangeException(nameof(scale), $"Upsample: scale {scale} must be positive");
        if (Rank != 4) throw new ArgumentException($"Upsample: input {Shape} must be [batch, channels, height, width]");
        int n = Shape[0], c = Shape[1], h = Shape[2], w = Shape[3];
        var v = Reshape(Shape.Of([n, c, h, 1, w, 1]));
        var y = Kernels.Expand(v, Shape.Of([n, c, h, scale.Height, w, scale.Width]));
        Tape.Record(y, v, null, RepeatRule);
        return y.Reshape(Shape.Of(n, c, h * scale.Height, w * scale.Width));
    }

    private static readonly BackwardRule RepeatRule = static (n, g) => n.AddToA(Kernels.Unbroadcast(g, n.A.Shape));

    /// <summary>
    /// Zero padding (PyTorch's <c>F.pad</c> of the last two axes, Keras' <c>ZeroPadding2D</c>): <c>[N, C, H, W]</c> →
    /// <c>[N, C, top + H + bottom, left + W + right]</c>, the input in the middle, zeros around it.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 4-D, or the padding is <see cref="Padding.Same"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An amount is negative.</exception>
    public Tensor ZeroPad2D(Padding padding)
    {
        if (padding.IsNegative) throw new ArgumentOutOfRangeException(nameof(padding), $"ZeroPad2D: padding {padding} must not be negative");
        if (padding.IsSame) throw new ArgumentException("ZeroPad2D: padding 'same' needs a window; give explicit amounts", nameof(padding));
        if (Rank != 4) throw new ArgumentException($"ZeroPad2D: input {Shape} must be [batch, channels, height, width]");
        int planes = Shape[0] * Shape[1], h = Shape[2], w = Shape[3];
        int ph = h + padding.Top + padding.Bottom, pw = w + padding.Left + padding.Right;
        var y = Create(Shape.Of(Shape[0], Shape[1], ph, pw), Device);
        Backend.Fill(y.Buffer, y.Offset, y.Length, 0f);
        int inner = padding.Top * pw + padding.Left;
        for (int q = 0; q < planes; q++)
            Backend.CopyBlocks(Buffer, Offset + q * h * w, w, y.Buffer, y.Offset + q * ph * pw + inner, pw, w, h);
        if (Tape.Record(y, this, null, ZeroPadRule) is { } node)
        {
            node.Int = padding.Top;
            node.Int2 = padding.Left;
        }
        return y;
    }

    // The gradient of the input is the middle of the gradient of the output.
    private static readonly BackwardRule ZeroPadRule = static (n, g) =>
    {
        var x = n.A;
        int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3], ph = g.Shape[2], pw = g.Shape[3];
        var dx = Create(x.Shape, x.Device);
        int inner = n.Int * pw + n.Int2;
        for (int q = 0; q < planes; q++)
            x.Backend.CopyBlocks(g.Buffer, g.Offset + q * ph * pw + inner, pw, dx.Buffer, dx.Offset + q * h * w, w, w, h);
        n.AddToA(dx);
    };
}
