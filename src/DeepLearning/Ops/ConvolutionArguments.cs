using System.Globalization;

namespace DeepLearning;

/// <summary>
/// A (height, width) pair for kernel sizes, strides and dilations; an <c>int</c> converts to a square pair and a tuple
/// <c>(h, w)</c> to a pair, so <c>stride: 2</c> and <c>stride: (2, 1)</c> both read naturally.
/// </summary>
/// <param name="Height">The vertical value.</param>
/// <param name="Width">The horizontal value.</param>
public readonly record struct Size2D(int Height, int Width)
{
    /// <summary>The pair (n, n).</summary>
    public static implicit operator Size2D(int n) => new(n, n);

    /// <summary>The pair (h, w).</summary>
    public static implicit operator Size2D((int Height, int Width) hw) => new(hw.Height, hw.Width);

    /// <summary>The pair (n, n) (the named form of the implicit conversion).</summary>
    public static Size2D FromInt32(int n) => new(n, n);

    /// <summary><c>3×3</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Height}×{Width}");
}

/// <summary>
/// Padding of a convolution or pooling window: <see cref="Valid"/> (none, the default), <see cref="Same"/> (output size
/// <c>⌈in / stride⌉</c>, the odd extra row or column at the bottom and right, as TensorFlow and PyTorch place it), or explicit
/// amounts per side. An <c>int</c> converts to the same amount on every side, a tuple <c>(v, h)</c> to v rows above
/// and below and h columns left and right.
/// </summary>
public readonly record struct Padding
{
    private Padding(int top, int bottom, int left, int right, bool same)
    {
        Top = top;
        Bottom = bottom;
        Left = left;
        Right = right;
        IsSame = same;
    }

    /// <summary>Rows above the input (explicit padding).</summary>
    public int Top { get; }

    /// <summary>Rows below the input.</summary>
    public int Bottom { get; }

    /// <summary>Columns left of the input.</summary>
    public int Left { get; }

    /// <summary>Columns right of the input.</summary>
    public int Right { get; }

    /// <summary>Whether the amounts are computed from the input so the output has <c>⌈in / stride⌉</c> pixels per axis.</summary>
    public bool IsSame { get; }

    /// <summary>No padding: windows stay inside the input.</summary>
    public static Padding Valid => default;

    /// <summary>Padding chosen per input so the output has <c>⌈in / stride⌉</c> pixels per axis.</summary>
    public static Padding Same { get; } = new(0, 0, 0, 0, true);

    /// <summary>Explicit amounts per side (a 1-D convolution uses <paramref name="left"/> and <paramref name="right"/>).</summary>
    public static Padding Explicit(int top, int bottom, int left, int right) => new(top, bottom, left, right, false);

    /// <summary><paramref name="n"/> on every side.</summary>
    public static implicit operator Padding(int n) => new(n, n, n, n, false);

    /// <summary><c>v</c> rows above and below, <c>h</c> columns left and right.</summary>
    public static implicit operator Padding((int Vertical, int Horizontal) vh) => new(vh.Vertical, vh.Vertical, vh.Horizontal, vh.Horizontal, false);

    /// <summary><paramref name="n"/> on every side (the named form of the implicit conversion).</summary>
    public static Padding FromInt32(int n) => n;

    /// <summary><c>valid</c>, <c>same</c>, <c>1</c>, <c>(1, 2)</c> or <c>(top, bottom, left, right)</c>.</summary>
    public override string ToString() => IsSame ? "same"
        : Top == Bottom && Left == Right ? (Top == Left ? (Top == 0 ? "valid" : Top.ToString(CultureInfo.InvariantCulture))
            : string.Create(CultureInfo.InvariantCulture, $"({Top}, {Left})"))
        : string.Create(CultureInfo.InvariantCulture, $"({Top}, {Bottom}, {Left}, {Right})");

    /// <summary>Whether an explicit amount is negative.</summary>
    internal bool IsNegative => Top < 0 || Bottom < 0 || Left < 0 || Right < 0;

    /// <summary>The amounts before and after one axis of <paramref name="size"/> pixels.</summary>
    internal (int Before, int After) Resolve(bool vertical, int size, int kernel, int stride, int dilation)
    {
        if (!IsSame) return vertical ? (Top, Bottom) : (Left, Right);
        int span = dilation * (kernel - 1) + 1;
        int outSize = (size + stride - 1) / stride;
        int total = Math.Max(0, (outSize - 1) * stride + span - size);
        return (total / 2, total - total / 2);
    }
}
