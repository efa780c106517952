namespace DeepLearning.Tests.Layers;

public class ConvTranspose2DTests
{
    [Fact]
    public void Upsamples_with_PyTorch_layout_and_output_size()
    {
        var layer = new ConvTranspose2D(8, 4, 2, stride: 2, seed: 1);
        Assert.Equal(new Shape(8, 4, 2, 2), layer.Weight.Shape);
        var y = layer.Forward(Tensor.RandN(new Shape(2, 8, 5, 6), seed: 2));
        Assert.Equal(new Shape(2, 4, 10, 12), y.Shape);
        Assert.Equal("ConvTranspose2D(8 => 4, 2×2, stride 2)", layer.ToString());
        Assert.Equal("outputPadding", Assert.Throws<ArgumentOutOfRangeException>(() => new ConvTranspose2D(1, 1, 3, outputPadding: 1)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => new ConvTranspose2D(1, 1, 3, padding: Padding.Same)).ParamName);
    }
}
