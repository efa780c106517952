namespace DeepLearning.Tests;

/// <summary>Seeded random inputs for tests, drawn so that ops are evaluated away from their kinks.</summary>
internal static class TestData
{
    /// <summary>Values with |x| in [0.3, 1.5], random sign: away from the kinks of Relu, Abs and LeakyRelu at 0.</summary>
    public static float[] AwayFromZero(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)((0.3 + 1.2 * rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1));
        return v;
    }

    /// <summary>Values in [0.5, 2]: the domain of Log, Sqrt and a Pow base.</summary>
    public static float[] Positive(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(0.5 + 1.5 * rng.NextDouble());
        return v;
    }

    /// <summary>Values in [lo, hi).</summary>
    public static float[] Uniform(int n, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return v;
    }

    /// <summary>
    /// Distinct values k·0.25 (k a random permutation), or k·0.25 + 0.125 when <paramref name="offset"/>: any value of
    /// one grid is at least 0.125 from any value of the other and of its own grid, so max/min never tie.
    /// </summary>
    public static float[] Grid(int n, int seed, bool offset)
    {
        var rng = new Random(seed);
        var k = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(k);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (k[i] - n / 2) * 0.25f + (offset ? 0.125f : 0f);
        return v;
    }

    public static Tensor Tensor(Shape shape, float[] values) => DeepLearning.Tensor.FromSpan(values, shape);

    /// <summary>Asserts element-wise closeness: |a − e| ≤ tol · max(1, |e|).</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol = 1e-5, string? what = null)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (e == a) continue; // equal infinities
            Assert.True(Math.Abs(a - e) <= tol * Math.Max(1, Math.Abs(e)), $"{what}: element {i} is {a:G9}, expected {e:G9}");
        }
    }

    public static void AssertClose(float[,] expected, Tensor actual, double tol = 1e-5)
    {
        Assert.Equal(new Shape(expected.GetLength(0), expected.GetLength(1)), actual.Shape);
        var flat = new float[expected.Length];
        System.Buffer.BlockCopy(expected, 0, flat, 0, flat.Length * sizeof(float));
        AssertClose(flat, actual.ToArray(), tol);
    }
}
