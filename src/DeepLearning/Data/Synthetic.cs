namespace DeepLearning;

/// <summary>
/// Small seeded data sets for trying models and for tests: a noisy linear map (regression) and the classic 2-D
/// classification toys (spirals, moons, XOR). The same seed gives the same set on every run. Classification sets
/// return <c>int[]</c> labels (use <see cref="Tensor.OneHot"/> for one-hot targets), ordered class by class: shuffle
/// with a <see cref="DataLoader"/> or <see cref="DataSplit"/>.
/// </summary>
public static class Synthetic
{
    /// <summary>
    /// A regression set from a known linear map: <c>X ~ N(0, 1)</c> of <c>[samples, in]</c> and
    /// <c>Y = X·Wᵀ + b + noise·ε</c>, ε ~ N(0, 1), of <c>[samples, out]</c> (the layout of <c>Dense(in, out)</c>).
    /// </summary>
    /// <param name="weight">The map's W, of shape <c>[out, in]</c>.</param>
    /// <param name="bias">The map's b, of shape <c>[out]</c>.</param>
    /// <param name="samples">Number of samples.</param>
    /// <param name="noise">Standard deviation of the additive noise (0 for an exact map).</param>
    /// <param name="seed">Seed of X and of the noise.</param>
    /// <exception cref="ArgumentException">W is not 2-D, b is not <c>[out]</c>, the count is negative or the noise negative.</exception>
    public static (Tensor X, Tensor Y) Linear(Tensor weight, Tensor bias, int samples, float noise, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (weight.Rank != 2 || bias.Rank != 1 || bias.Shape[0] != weight.Shape[0])
            throw new ArgumentException($"Synthetic.Linear: weight {weight.Shape} must be [out, in] and bias {bias.Shape} must be [out]");
        CheckCount(samples, "Linear");
        CheckNoise(noise, "Linear");
        int inputs = weight.Shape[1], outputs = weight.Shape[0];
        using (Autodiff.NoGrad())
        {
            var x = Tensor.RandN(new Shape(samples, inputs), SeededRandom.Mix(seed), weight.Device);
            var y = Tensor.MatMul(x, weight, transposeB: true) + bias;
            if (noise > 0) y += Tensor.Normal(new Shape(samples, outputs), 0f, noise, SeededRandom.Mix(seed + 1), weight.Device);
            return (x, y);
        }
    }

    /// <summary>
    /// Interleaved spiral arms, one class each (the CS231n spiral): for arm j and point i of n,
    /// <c>r = i/(n−1)</c>, <c>θ = 4j + 4r + noise·ε</c>, <c>x = (r·sin θ, r·cos θ)</c>, label j.
    /// </summary>
    /// <param name="samplesPerClass">Points per arm n.</param>
    /// <param name="classes">Number of arms k (at least 1).</param>
    /// <param name="noise">Standard deviation of the angle noise (CS231n uses 0.2).</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <returns>X of <c>[k·n, 2]</c> and labels 0 … k − 1, arm by arm.</returns>
    /// <exception cref="ArgumentException">A negative count, fewer than one class or negative noise.</exception>
    public static (Tensor X, int[] Labels) Spirals(int samplesPerClass, int classes, float noise, ulong seed)
    {
        CheckCount(samplesPerClass, "Spirals");
        if (classes < 1) throw new ArgumentException($"Synthetic.Spirals: {classes} classes, expected at least 1", nameof(classes));
        CheckNoise(noise, "Spirals");
        int n = samplesPerClass;
        var x = new float[2L * n * classes];
        var labels = new int[n * classes];
        var rng = new SeededRandom(seed, 5);
        for (int j = 0, k = 0; j < classes; j++)
            for (int i = 0; i < n; i++, k++)
            {
                float r = n > 1 ? (float)i / (n - 1) : 0f;
                float t = 4f * j + 4f * r + noise * rng.NextNormal();
                x[2 * k] = r * MathF.Sin(t);
                x[2 * k + 1] = r * MathF.Cos(t);
                labels[k] = j;
            }
        return (Tensor.FromSpan(x, new Shape(n * classes, 2)), labels);
    }

    /// <summary>
    /// Two interleaving half circles (scikit-learn's <c>make_moons</c>): ⌊samples/2⌋ points
    /// <c>(cos t, sin t)</c>, label 0, then the rest <c>(1 − cos t, 0.5 − sin t)</c>, label 1, t evenly spaced in [0, π],
    /// plus Gaussian noise of standard deviation <paramref name="noise"/> on each coordinate.
    /// </summary>
    /// <param name="samples">Total number of points.</param>
    /// <param name="noise">Standard deviation of the noise.</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <returns>X of <c>[samples, 2]</c> and labels 0 / 1.</returns>
    /// <exception cref="ArgumentException">A negative count or negative noise.</exception>
    public static (Tensor X, int[] Labels) Moons(int samples, float noise, ulong seed)
    {
        CheckCount(samples, "Moons");
        CheckNoise(noise, "Moons");
        int outer = samples / 2, inner = samples - outer;
        var x = new float[2L * samples];
        var labels = new int[samples];
        var rng = new SeededRandom(seed, 6);
        for (int k = 0; k < samples; k++)
        {
            bool isInner = k >= outer;
            int i = isInner ? k - outer : k, m = isInner ? inner : outer;
            float t = m > 1 ? MathF.PI * i / (m - 1) : 0f;
            float px = isInner ? 1f - MathF.Cos(t) : MathF.Cos(t);
            float py = isInner ? 0.5f - MathF.Sin(t) : MathF.Sin(t);
            x[2 * k] = px + noise * rng.NextNormal();
            x[2 * k + 1] = py + noise * rng.NextNormal();
            labels[k] = isInner ? 1 : 0;
        }
        return (Tensor.FromSpan(x, new Shape(samples, 2)), labels);
    }

    /// <summary>
    /// The XOR problem: each point picks a corner <c>(2a − 1, 2b − 1)</c>, a, b ∈ {0, 1} uniformly at random, plus
    /// Gaussian noise of standard deviation <paramref name="noise"/>; its label is <c>a XOR b</c> (1 when the
    /// coordinates' signs differ, for noise well below 1).
    /// </summary>
    /// <param name="samples">Number of points.</param>
    /// <param name="noise">Standard deviation of the noise.</param>
    /// <param name="seed">Seed of the corners and the noise.</param>
    /// <returns>X of <c>[samples, 2]</c> and labels 0 / 1.</returns>
    /// <exception cref="ArgumentException">A negative count or negative noise.</exception>
    public static (Tensor X, int[] Labels) Xor(int samples, float noise, ulong seed)
    {
        CheckCount(samples, "Xor");
        CheckNoise(noise, "Xor");
        var x = new float[2L * samples];
        var labels = new int[samples];
        var rng = new SeededRandom(seed, 7);
        for (int k = 0; k < samples; k++)
        {
            int a = rng.NextInt(2), b = rng.NextInt(2);
            x[2 * k] = 2 * a - 1 + noise * rng.NextNormal();
            x[2 * k + 1] = 2 * b - 1 + noise * rng.NextNormal();
            labels[k] = a ^ b;
        }
        return (Tensor.FromSpan(x, new Shape(samples, 2)), labels);
    }

    private static void CheckCount(int samples, string name)
    {
        if (samples < 0) throw new ArgumentException($"Synthetic.{name}: sample count {samples} is negative");
    }

    private static void CheckNoise(float noise, string name)
    {
        if (!(noise >= 0) || !float.IsFinite(noise))
            throw new ArgumentException($"Synthetic.{name}: noise {noise} must be a finite non-negative standard deviation");
    }
}
