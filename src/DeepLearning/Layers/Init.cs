namespace DeepLearning;

/// <summary>Makes the initial value of a parameter of <paramref name="shape"/>; the same seed gives the same tensor.</summary>
/// <param name="shape">The parameter's shape (for a Dense weight <c>[out, in]</c>).</param>
/// <param name="seed">Seed of the counter-based generator.</param>
public delegate Tensor Initializer(Shape shape, ulong seed);

/// <summary>
/// Weight initialisers, all seeded and reproducible on every device. Fans follow PyTorch and Flux: for a weight
/// <c>[out, in, k…]</c> (Dense <c>[out, in]</c>, convolution <c>[out, in, kh, kw]</c>), <c>fan_in = in·Πk</c> and
/// <c>fan_out = out·Πk</c>; a vector <c>[n]</c> has <c>fan_in = fan_out = n</c>.
/// </summary>
public static class Init
{
    private static ulong _seed = 0x5EED;
    private static long _drawn;

    /// <summary>Glorot (Xavier) uniform: <c>U(−a, a)</c>, <c>a = √(6 / (fan_in + fan_out))</c> (Flux's and Keras' default).</summary>
    public static Tensor GlorotUniform(Shape shape, ulong seed)
    {
        var (fi, fo) = Fans(shape);
        float a = MathF.Sqrt(6f / Math.Max(1, fi + fo));
        return Tensor.Uniform(shape, -a, a, seed);
    }

    /// <summary>Glorot (Xavier) normal: <c>N(0, σ²)</c>, <c>σ = √(2 / (fan_in + fan_out))</c>.</summary>
    public static Tensor GlorotNormal(Shape shape, ulong seed)
    {
        var (fi, fo) = Fans(shape);
        return Tensor.Normal(shape, 0f, MathF.Sqrt(2f / Math.Max(1, fi + fo)), seed);
    }

    /// <summary>He (Kaiming) uniform for ReLU layers: <c>U(−a, a)</c>, <c>a = √(6 / fan_in)</c>.</summary>
    public static Tensor HeUniform(Shape shape, ulong seed)
    {
        float a = MathF.Sqrt(6f / Math.Max(1, Fans(shape).FanIn));
        return Tensor.Uniform(shape, -a, a, seed);
    }

    /// <summary>He (Kaiming) normal for ReLU layers: <c>N(0, σ²)</c>, <c>σ = √(2 / fan_in)</c>.</summary>
    public static Tensor HeNormal(Shape shape, ulong seed) =>
        Tensor.Normal(shape, 0f, MathF.Sqrt(2f / Math.Max(1, Fans(shape).FanIn)), seed);

    /// <summary>LeCun normal (for SELU-style layers): <c>N(0, σ²)</c>, <c>σ = √(1 / fan_in)</c>.</summary>
    public static Tensor LeCunNormal(Shape shape, ulong seed) =>
        Tensor.Normal(shape, 0f, MathF.Sqrt(1f / Math.Max(1, Fans(shape).FanIn)), seed);

    /// <summary>All zeros (the seed is ignored); Dense biases start here.</summary>
    public static Tensor Zeros(Shape shape, ulong seed) => Tensor.Zeros(shape);

    /// <summary>All ones (the seed is ignored).</summary>
    public static Tensor Ones(Shape shape, ulong seed) => Tensor.Ones(shape);

    /// <summary>An initialiser drawing from <c>N(0, σ²)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="std"/> is negative or not finite.</exception>
    public static Initializer Normal(float std)
    {
        if (!(std >= 0f) || !float.IsFinite(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "Init.Normal: the standard deviation must be finite and non-negative");
        return (shape, seed) => Tensor.Normal(shape, 0f, std, seed);
    }

    /// <summary>An initialiser drawing from <c>U(a, b)</c>.</summary>
    /// <exception cref="ArgumentException">The bounds are not finite or <paramref name="a"/> &gt; <paramref name="b"/>.</exception>
    public static Initializer Uniform(float a, float b)
    {
        if (!float.IsFinite(a) || !float.IsFinite(b) || a > b) throw new ArgumentException($"Init.Uniform: [{a}, {b}) is not an interval of finite numbers");
        return (shape, seed) => Tensor.Uniform(shape, a, b, seed);
    }

    /// <summary>The fans of a weight of <paramref name="shape"/>: <c>[out, in, k…]</c> gives (in·Πk, out·Πk); <c>[n]</c> gives (n, n).</summary>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        var d = shape.Dims;
        if (d.Length == 0) return (1, 1);
        if (d.Length == 1) return (d[0], d[0]);
        int receptive = 1;
        for (int i = 2; i < d.Length; i++) receptive *= d[i];
        return (d[1] * receptive, d[0] * receptive);
    }

    /// <summary>
    /// Restarts the sequence of seeds that layers built without an explicit seed draw (like <c>torch.manual_seed</c>):
    /// after <c>Init.SetSeed(s)</c>, the same model code builds the same weights.
    /// </summary>
    public static void SetSeed(ulong seed)
    {
        Interlocked.Exchange(ref _seed, seed);
        Interlocked.Exchange(ref _drawn, 0);
    }

    /// <summary>The next seed of the process-wide sequence (a layer built without a seed takes one).</summary>
    public static ulong NextSeed() => Mix(Interlocked.Read(ref _seed) + (ulong)Interlocked.Increment(ref _drawn) * 0x9E3779B97F4A7C15UL);

    // SplitMix64's finaliser: nearby inputs give unrelated seeds.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
