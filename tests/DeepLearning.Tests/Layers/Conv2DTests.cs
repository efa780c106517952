using static DeepLearning.Activations;

namespace DeepLearning.Tests.Layers;

public class Conv2DTests
{
    [Fact]
    public void Matches_the_op_with_PyTorch_layout_and_conv_fans()
    {
        var layer = new Conv2D(3, 8, (3, 5), Relu, stride: 2, padding: Padding.Same, seed: 1);
        Assert.Equal(new Shape(8, 3, 3, 5), layer.Weight.Shape);
        Assert.Equal(new Shape(8), layer.Bias!.Shape);
        // Glorot uniform with fans in·kh·kw = 45 and out·kh·kw = 120.
        float bound = MathF.Sqrt(6f / (45 + 120));
        Assert.All(layer.Weight.ToArray(), w => Assert.InRange(MathF.Abs(w), 0f, bound));
        Assert.True(layer.Weight.ToArray().Max() > bound * 0.9f);
        layer.Bias.Assign(Tensor.Uniform(layer.Bias.Shape, -1f, 1f, 3));
        var x = Tensor.RandN(new Shape(2, 3, 9, 8), seed: 2);
        var y = layer.Forward(x);
        Assert.Equal(new Shape(2, 8, 5, 4), y.Shape);
        var expected = Tensor.Conv2D(x, layer.Weight, layer.Bias, 2, Padding.Same).Relu();
        TestData.AssertClose(expected.ToArray(), y.ToArray(), 1e-6);
        Assert.Equal("Conv2D(3 => 8, 3×5, stride 2, padding same, Relu)", layer.ToString());
        Assert.Equal("Conv2D(16 => 32, 3×3)", new Conv2D(16, 32, 3, seed: 3).ToString());
    }

    [Fact]
    public void Shape_errors_name_the_layer_its_position_and_the_shapes()
    {
        var model = new Chain(new Conv2D(1, 8, 3, seed: 1), new Conv2D(16, 32, 3, seed: 2));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 1, 10, 10)));
        Assert.StartsWith("Chain[1] Conv2D(16 => 32, 3×3): input has 8 channels, expected 16", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 100)));
        Assert.StartsWith("Chain[0] Conv2D(1 => 8, 3×3): input [2,100] must be [batch, channels, height, width]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 1, 2, 9)));
        Assert.StartsWith("Chain[0] Conv2D(1 => 8, 3×3): Conv2D: the window (3 along the height) is larger than the padded input (2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arguments_are_rejected_at_construction_naming_the_argument()
    {
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(1, 2, 3, stride: 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(1, 2, 3, padding: -1)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(3, 4, 3, groups: 2)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(3, 4, (0, 3))).ParamName);
        Assert.Equal("dilation", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(3, 4, 3, dilation: 0)).ParamName);
        Assert.Contains("groups 2 must divide the input channels (3)", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(3, 4, 3, groups: 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_shows_shapes_and_parameter_counts_through_a_conv_stack()
    {
        var model = new Chain(new Conv2D(1, 32, 3, Relu, seed: 1), new MaxPool2D(2), new Conv2D(32, 64, 3, Relu, seed: 2), new MaxPool2D(2),
            new Flatten(), new Dense(1600, 10, seed: 3));
        var lines = model.Summary(8, 1, 28, 28).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^0\s+Conv2D\(1 => 32, 3×3, Relu\)\s+\[8,32,26,26\]\s+320$", lines[2]);
        Assert.Matches(@"^1\s+MaxPool2D\(2×2\)\s+\[8,32,13,13\]\s+0$", lines[3]);
        Assert.Matches(@"^2\s+Conv2D\(32 => 64, 3×3, Relu\)\s+\[8,64,11,11\]\s+18,496$", lines[4]);
        Assert.Matches(@"^3\s+MaxPool2D\(2×2\)\s+\[8,64,5,5\]\s+0$", lines[5]);
        Assert.Matches(@"^4\s+Flatten\s+\[8,1600\]\s+0$", lines[6]);
        Assert.Matches(@"^5\s+Dense\(1600 => 10\)\s+\[8,10\]\s+16,010$", lines[7]);
    }
}
