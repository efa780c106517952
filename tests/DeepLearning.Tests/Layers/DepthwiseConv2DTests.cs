namespace DeepLearning.Tests.Layers;

public class DepthwiseConv2DTests
{
    [Fact]
    public void Is_a_grouped_convolution_with_one_group_per_channel()
    {
        var layer = new DepthwiseConv2D(3, 3, depthMultiplier: 2, padding: Padding.Same, seed: 1);
        Assert.Equal(new Shape(6, 1, 3, 3), layer.Weight.Shape);
        var x = Tensor.RandN(new Shape(2, 3, 5, 4), seed: 2);
        var expected = Tensor.Conv2D(x, layer.Weight, layer.Bias, padding: Padding.Same, groups: 3);
        Assert.Equal(expected.ToArray(), layer.Forward(x).ToArray());
        Assert.Equal("DepthwiseConv2D(3, 3×3, multiplier 2, padding same)", layer.ToString());
        var e = Assert.Throws<ArgumentException>(() => new Chain(layer).Forward(Tensor.Zeros(2, 4, 5, 5)));
        Assert.StartsWith("Chain[0] DepthwiseConv2D(3, 3×3, multiplier 2, padding same): input has 4 channels, expected 3", e.Message, StringComparison.Ordinal);
    }
}
