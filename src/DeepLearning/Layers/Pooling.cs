using System.Globalization;

namespace DeepLearning;

/// <summary>Max pooling of <c>[batch, channels, h, w]</c> (PyTorch's <c>nn.MaxPool2d</c>); see <see cref="Tensor.MaxPool2D"/>.</summary>
/// <example><c>new MaxPool2D(2)</c>: 2×2 windows, stride 2.</example>
public sealed class MaxPool2D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="kernel">Window size.</param>
    /// <param name="stride">Step between windows (default: the kernel size).</param>
    /// <param name="padding">Padding (never wins), at most half the window.</param>
    /// <param name="dilation">Spacing of the taps (default 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the padding is negative.</exception>
    public MaxPool2D(Size2D kernel, Size2D? stride = null, Padding padding = default, Size2D? dilation = null)
    {
        Pools.Check(nameof(MaxPool2D), kernel, stride ?? kernel, padding, dilation ?? 1);
        Kernel = kernel;
        Stride = stride ?? kernel;
        Padding = padding;
        Dilation = dilation ?? 1;
    }

    /// <summary>Window size.</summary>
    public Size2D Kernel { get; }

    /// <summary>Step between windows.</summary>
    public Size2D Stride { get; }

    /// <summary>Padding.</summary>
    public Padding Padding { get; }

    /// <summary>Spacing of the taps.</summary>
    public Size2D Dilation { get; }

    /// <summary>The maximum of each window.</summary>
    /// <exception cref="ArgumentException">The input is not 4-D or smaller than the window.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.MaxPool2D(Kernel, Stride, Padding, Dilation);
    }

    /// <summary><c>MaxPool2D(2×2)</c>, with stride and padding when they differ from the defaults.</summary>
    public override string ToString() => Pools.Describe(nameof(MaxPool2D), Kernel, Stride, Padding);
}

/// <summary>Average pooling of <c>[batch, channels, h, w]</c> (PyTorch's <c>nn.AvgPool2d</c>); see <see cref="Tensor.AvgPool2D"/>.</summary>
public sealed class AvgPool2D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="kernel">Window size.</param>
    /// <param name="stride">Step between windows (default: the kernel size).</param>
    /// <param name="padding">Zero padding (counted in the average), at most half the window.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the padding is negative.</exception>
    public AvgPool2D(Size2D kernel, Size2D? stride = null, Padding padding = default)
    {
        Pools.Check(nameof(AvgPool2D), kernel, stride ?? kernel, padding, 1);
        Kernel = kernel;
        Stride = stride ?? kernel;
        Padding = padding;
    }

    /// <summary>Window size.</summary>
    public Size2D Kernel { get; }

    /// <summary>Step between windows.</summary>
    public Size2D Stride { get; }

    /// <summary>Padding.</summary>
    public Padding Padding { get; }

    /// <summary>The mean of each window.</summary>
    /// <exception cref="ArgumentException">The input is not 4-D or smaller than the window.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.AvgPool2D(Kernel, Stride, Padding);
    }

    /// <summary><c>AvgPool2D(2×2)</c>, with stride and padding when they differ from the defaults.</summary>
    public override string ToString() => Pools.Describe(nameof(AvgPool2D), Kernel, Stride, Padding);
}

/// <summary>Global average pooling: <c>[batch, channels, …]</c> → <c>[batch, channels]</c> (Keras' <c>GlobalAveragePooling2D</c>).</summary>
public sealed class GlobalAvgPool : Layer
{
    /// <summary>The mean over every spatial position.</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 axes.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.GlobalAvgPool();
    }
}

/// <summary>Global max pooling: <c>[batch, channels, …]</c> → <c>[batch, channels]</c> (Keras' <c>GlobalMaxPooling2D</c>).</summary>
public sealed class GlobalMaxPool : Layer
{
    /// <summary>The maximum over every spatial position.</summary>
    /// <exception cref="ArgumentException">The input has fewer than 3 axes.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.GlobalMaxPool();
    }
}

/// <summary><c>[batch, d1, d2, …]</c> → <c>[batch, d1·d2·…]</c>, a view: between convolutions and a <see cref="Dense"/> head.</summary>
public sealed class Flatten : Layer
{
    /// <summary>The input with every axis after the first merged.</summary>
    /// <exception cref="ArgumentException">The input is a scalar.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten();
    }
}

/// <summary>Checks and descriptions shared by the pooling layers.</summary>
internal static class Pools
{
    public static void Check(string layer, Size2D kernel, Size2D stride, Padding padding, Size2D dilation)
    {
        if (kernel.Height <= 0 || kernel.Width <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"{layer}: kernel {kernel} must be positive");
        if (stride.Height <= 0 || stride.Width <= 0) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"{layer}: stride {stride} must be positive");
        if (dilation.Height <= 0 || dilation.Width <= 0) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, $"{layer}: dilation {dilation} must be positive");
        if (padding.Top < 0 || padding.Bottom < 0 || padding.Left < 0 || padding.Right < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{layer}: padding {padding} must not be negative");
    }

    public static string Describe(string layer, Size2D kernel, Size2D stride, Padding padding)
    {
        var text = $"{layer}({kernel}";
        if (stride != kernel) text += string.Create(CultureInfo.InvariantCulture, $", stride {stride}");
        if (padding != Padding.Valid) text += $", padding {padding}";
        return text + ")";
    }
}
