namespace DeepLearning.Tests.Layers;

public class LayerNormTests
{
    [Fact]
    public void Normalises_each_row_to_zero_mean_and_unit_variance_at_initialisation()
    {
        using var scope = TensorScope.Begin();
        var layer = new LayerNorm(8);
        Assert.Equal(["weight", "bias"], layer.NamedParameters().Select(p => p.Key));
        var y = layer.Forward(Tensor.Uniform(new Shape(3, 2, 8), -5f, 5f, 1));
        Assert.Equal(new Shape(3, 2, 8), y.Shape);
        var mean = y.Mean(-1).ToArray();
        var var = y.Square().Mean(-1).ToArray();
        Assert.All(mean, m => Assert.True(Math.Abs(m) < 1e-5, $"mean {m}"));
        Assert.All(var, v => Assert.True(Math.Abs(v - 1) < 1e-3, $"variance {v}"));
    }

    [Fact]
    public void Wrong_feature_count_names_the_layer()
    {
        using var scope = TensorScope.Begin();
        var e = Assert.Throws<ArgumentException>(() => new LayerNorm(8).Forward(Tensor.Zeros(2, 7)));
        Assert.Contains("LayerNorm(8): input has 7 features (last axis), expected 8", e.Message, StringComparison.Ordinal);
    }
}
