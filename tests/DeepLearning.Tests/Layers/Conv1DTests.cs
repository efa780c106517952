namespace DeepLearning.Tests.Layers;

public class Conv1DTests
{
    [Fact]
    public void Applies_the_op_and_names_itself_in_errors()
    {
        var layer = new Conv1D(2, 4, 3, stride: 2, padding: 1, seed: 1);
        Assert.Equal(new Shape(4, 2, 3), layer.Weight.Shape);
        var x = Tensor.RandN(new Shape(3, 2, 9), seed: 2);
        TestData.AssertClose(Tensor.Conv1D(x, layer.Weight, layer.Bias, 2, 1).ToArray(), layer.Forward(x).ToArray(), 1e-6);
        Assert.Equal("Conv1D(2 => 4, 3, stride 2, padding 1)", layer.ToString());
        var e = Assert.Throws<ArgumentException>(() => new Chain(layer).Forward(Tensor.Zeros(3, 5, 9)));
        Assert.StartsWith("Chain[0] Conv1D(2 => 4, 3, stride 2, padding 1): input has 5 channels, expected 2", e.Message, StringComparison.Ordinal);
    }
}
