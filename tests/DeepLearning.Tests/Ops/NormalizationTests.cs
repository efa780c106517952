using DeepLearning.Tests.Layers;

namespace DeepLearning.Tests.Ops;

// The batch-norm op's hand-written rule against finite differences, for each layout and both modes.
public class NormalizationTests
{
    public static TheoryData<int[], bool> Cases() => new()
    {
        { new[] { 5, 3 }, true },
        { new[] { 2, 3, 4 }, true },
        { new[] { 3, 2, 2, 3 }, true },
        { new[] { 4, 3 }, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_matches_finite_differences(int[] shape, bool training)
    {
        int c = shape[1];
        var x = LayerTesting.Random(shape, 1, -2f, 3f);
        var w = LayerTesting.Random([c], 2, 0.5f, 1.5f);
        var b = LayerTesting.Random([c], 3, -1f, 1f);
        var mean = LayerTesting.Random([c], 4, -0.5f, 0.5f);
        var variance = LayerTesting.Random([c], 5, 0.5f, 2f);
        var result = GradientCheck.Run(() => LayerTesting.WeightedSum(Tensor.BatchNorm(x, training ? null : mean, training ? null : variance, w, b, training)), [x, w, b]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Shape_errors_name_the_op()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.BatchNorm(Tensor.Ones(4, 3), null, null, Tensor.Ones(2), Tensor.Zeros(3), true));
        Assert.StartsWith("BatchNorm: weight has shape [2], expected [3]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Tensor.BatchNorm(Tensor.Ones(4, 3), null, null, Tensor.Ones(3), Tensor.Zeros(3), false));
    }
}
