namespace DeepLearning;

public partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    /// <param name="shape">Dimensions, outermost first.</param>
    public static Tensor Zeros(params int[] shape) => Full(new Shape(shape), 0f);

    /// <summary>A tensor of zeros on <paramref name="device"/> (CPU when null).</summary>
    public static Tensor Zeros(Shape shape, Device? device = null) => Full(shape, 0f, device);

    /// <summary>A tensor of ones.</summary>
    /// <param name="shape">Dimensions, outermost first.</param>
    public static Tensor Ones(params int[] shape) => Full(new Shape(shape), 1f);

    /// <summary>A tensor of ones on <paramref name="device"/> (CPU when null).</summary>
    public static Tensor Ones(Shape shape, Device? device = null) => Full(shape, 1f, device);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    /// <param name="shape">Dimensions.</param>
    /// <param name="value">The value of every element.</param>
    /// <param name="device">Device (CPU when null).</param>
    public static Tensor Full(Shape shape, float value, Device? device = null)
    {
        var t = Create(shape, device ?? Device.Cpu);
        t.Backend.Fill(t.Buffer, t.Offset, t.Length, value);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value, Device? device = null) => Full(Shape.Scalar, value, device);

    /// <summary>A tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> in row-major order.</summary>
    /// <exception cref="ArgumentException">The data length differs from the shape's element count.</exception>
    public static Tensor FromSpan(ReadOnlySpan<float> data, Shape shape, Device? device = null)
    {
        if (data.Length != shape.Length)
            throw new ArgumentException($"FromSpan: {data.Length} values cannot fill shape {shape} ({shape.Length} elements)", nameof(data));
        var t = Create(shape, device ?? Device.Cpu);
        t.Backend.Upload(data, t.Buffer, t.Offset);
        return t;
    }

    /// <summary>A 1-D tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[] data, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromSpan(data, new Shape(data.Length), device);
    }

    /// <summary>A 2-D tensor holding a copy of <paramref name="data"/> (<c>data[i, j]</c> is element [i, j]).</summary>
    public static Tensor FromArray(float[,] data, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromMultidimensional(data, new Shape(data.GetLength(0), data.GetLength(1)), device);
    }

    /// <summary>A 3-D tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[,,] data, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromMultidimensional(data, new Shape(data.GetLength(0), data.GetLength(1), data.GetLength(2)), device);
    }

    /// <summary>A 4-D tensor holding a copy of <paramref name="data"/>, such as an image batch <c>[N, C, H, W]</c>.</summary>
    public static Tensor FromArray(float[,,,] data, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromMultidimensional(data, new Shape(data.GetLength(0), data.GetLength(1), data.GetLength(2), data.GetLength(3)), device);
    }

    private static Tensor FromMultidimensional(Array data, Shape shape, Device? device)
    {
        // A multidimensional array is stored row-major, so its memory is already the tensor's layout.
        var flat = new float[shape.Length];
        System.Buffer.BlockCopy(data, 0, flat, 0, flat.Length * sizeof(float));
        return FromSpan(flat, shape, device);
    }

    /// <summary>Uniform random numbers in [0, 1), reproducible for a seed on every device and thread count.</summary>
    public static Tensor Rand(Shape shape, ulong seed, Device? device = null) => Uniform(shape, 0f, 1f, seed, device);

    /// <summary>Standard normal random numbers (mean 0, standard deviation 1), reproducible for a seed.</summary>
    public static Tensor RandN(Shape shape, ulong seed, Device? device = null) => Normal(shape, 0f, 1f, seed, device);

    /// <summary>Uniform random numbers in [<paramref name="low"/>, <paramref name="high"/>), reproducible for a seed.</summary>
    /// <exception cref="ArgumentException">The bounds are not finite or <paramref name="low"/> &gt; <paramref name="high"/>.</exception>
    public static Tensor Uniform(Shape shape, float low, float high, ulong seed, Device? device = null)
    {
        if (!float.IsFinite(low) || !float.IsFinite(high) || low > high)
            throw new ArgumentException($"Uniform: bounds [{low}, {high}) are not an interval of finite numbers");
        var t = Create(shape, device ?? Device.Cpu);
        t.Backend.RandomUniform(t.Buffer, t.Offset, t.Length, seed, 0, low, high);
        return t;
    }

    /// <summary>Normal random numbers of the given <paramref name="mean"/> and <paramref name="std"/>, reproducible for a seed.</summary>
    /// <exception cref="ArgumentException">The standard deviation is negative or a parameter is not finite.</exception>
    public static Tensor Normal(Shape shape, float mean, float std, ulong seed, Device? device = null)
    {
        if (!float.IsFinite(mean) || !float.IsFinite(std) || std < 0)
            throw new ArgumentException($"Normal: mean {mean} and standard deviation {std} must be finite, the deviation non-negative");
        var t = Create(shape, device ?? Device.Cpu);
        t.Backend.RandomNormal(t.Buffer, t.Offset, t.Length, seed, 0, mean, std);
        return t;
    }
}
