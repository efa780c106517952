namespace DeepLearning.Tests.Layers;

/// <summary>Shared inputs for the layer, activation and loss tests: seeded random tensors kept away from kinks.</summary>
internal static class LayerTesting
{
    /// <summary>Uniform values in [lo, hi), moved at least <paramref name="gap"/> away from each of <paramref name="kinks"/>.</summary>
    public static Tensor Random(int[] shape, ulong seed, float lo = -2f, float hi = 2f, float[]? kinks = null, float gap = 0.1f)
    {
        var values = Tensor.Uniform(new Shape(shape), lo, hi, seed).ToArray();
        foreach (var k in kinks ?? [])
            for (int i = 0; i < values.Length; i++)
                if (MathF.Abs(values[i] - k) < gap) values[i] = k + (values[i] >= k ? gap : -gap);
        return Tensor.FromSpan(values, new Shape(shape));
    }

    /// <summary>A scalar of <paramref name="y"/> that weighs every element differently, so no gradient is trivially zero.</summary>
    public static Tensor WeightedSum(Tensor y, ulong seed = 99) => (y * Tensor.Uniform(y.Shape, 0.5f, 1.5f, seed, y.Device)).Sum();

    public static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        double err = Math.Abs(expected - actual) / Math.Max(1.0, Math.Abs(expected));
        Assert.True(err <= tolerance, $"{what}: expected {expected}, got {actual}");
    }
}
