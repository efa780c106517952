namespace DeepLearning.Tests.Layers;

public class ResamplingTests
{
    [Fact]
    public void Upsample_and_zero_padding_layers_apply_their_ops()
    {
        var x = Tensor.RandN(new Shape(2, 3, 4, 5), seed: 1);
        Assert.Equal(x.Upsample((2, 3)).ToArray(), new Upsample((2, 3)).Forward(x).ToArray());
        Assert.Equal("Upsample(2×3)", new Upsample((2, 3)).ToString());
        Assert.Equal(x.ZeroPad2D(1).ToArray(), new ZeroPad2D(1).Forward(x).ToArray());
        Assert.Equal("ZeroPad2D(1)", new ZeroPad2D(1).ToString());
    }

    [Fact]
    public void Channel_dropout_is_the_identity_in_evaluation_and_draws_fresh_masks_in_training()
    {
        var layer = new ChannelDropout(0.5f, seed: 3);
        var x = Tensor.Ones(4, 8, 2, 2);
        Assert.Same(x, layer.Forward(x));
        layer.TrainMode();
        var a = layer.Forward(x).ToArray();
        var b = layer.Forward(x).ToArray();
        Assert.NotEqual(a, b);
        Assert.Equal("ChannelDropout(0.5)", layer.ToString());
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelDropout(1f)).ParamName);
    }
}
