namespace DeepLearning.Tests.Layers;

public class PoolingTests
{
    [Fact]
    public void Pooling_layers_apply_their_ops_and_describe_themselves()
    {
        var x = Tensor.RandN(new Shape(2, 3, 7, 6), seed: 1);
        var max = new MaxPool2D(3, 2, 1);
        Assert.Equal(x.MaxPool2D(3, 2, 1).ToArray(), max.Forward(x).ToArray());
        Assert.Equal("MaxPool2D(3×3, stride 2×2, padding 1)", max.ToString());
        var avg = new AvgPool2D((2, 3));
        Assert.Equal(x.AvgPool2D((2, 3)).ToArray(), avg.Forward(x).ToArray());
        Assert.Equal("AvgPool2D(2×3)", avg.ToString());
        Assert.Equal(new Shape(2, 3), new GlobalAvgPool().Forward(x).Shape);
        TestData.AssertClose(x.Mean(new[] { 2, 3 }).ToArray(), new GlobalAvgPool().Forward(x).ToArray(), 1e-6);
        Assert.Equal(x.Reshape(2, 3, 42).Max(2).ToArray(), new GlobalMaxPool().Forward(x).ToArray());
        Assert.Equal(new Shape(2, 126), new Flatten().Forward(x).Shape);
    }

    [Fact]
    public void Bad_input_names_the_layer_and_the_shapes()
    {
        var model = new Chain(new Flatten(), new MaxPool2D(2));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 3, 4, 4)));
        Assert.StartsWith("Chain[1] MaxPool2D(2×2): MaxPool2D: input [2,48] must be [batch, channels, height, width]", e.Message, StringComparison.Ordinal);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2D(2, 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new AvgPool2D(2, 1, -1)).ParamName);
        var wide = Assert.Throws<ArgumentException>(() => new MaxPool2D(2, 1, 2).Forward(Tensor.Zeros(1, 1, 4, 4)));
        Assert.Contains("padding 2 must be at most half the window", wide.Message, StringComparison.Ordinal);
    }
}
