namespace DeepLearning.Tests.Ops;

public class ResamplingTests
{
    [Fact]
    public void Upsample_repeats_each_pixel()
    {
        var x = Tensor.FromSpan([1f, 2f, 3f, 4f], new Shape(1, 1, 2, 2));
        var y = x.Upsample((2, 1));
        Assert.Equal(new Shape(1, 1, 4, 2), y.Shape);
        Assert.Equal([1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f], y.ToArray());
        Assert.Equal([1f, 1f, 2f, 2f, 1f, 1f, 2f, 2f, 3f, 3f, 4f, 4f, 3f, 3f, 4f, 4f], x.Upsample(2).ToArray());
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => x.Upsample(0)).ParamName);
        Assert.StartsWith("Upsample: input [4] must be", Assert.Throws<ArgumentException>(() => Tensor.Zeros(4).Upsample(2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroPad2D_puts_the_input_in_the_middle()
    {
        var x = Tensor.FromSpan([1f, 2f, 3f, 4f], new Shape(1, 1, 2, 2));
        var y = x.ZeroPad2D(Padding.Explicit(1, 0, 0, 2));
        Assert.Equal(new Shape(1, 1, 3, 4), y.Shape);
        Assert.Equal([0f, 0f, 0f, 0f, 1f, 2f, 0f, 0f, 3f, 4f, 0f, 0f], y.ToArray());
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => x.ZeroPad2D(-1)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => x.ZeroPad2D(Padding.Same)).ParamName);
    }

    [Fact]
    public void ChannelDropout_zeroes_whole_channels_and_scales_the_rest()
    {
        var x = Tensor.Ones(4, 8, 3, 3);
        var y = x.ChannelDropout(0.5f, seed: 3, counter: 0).ToArray();
        int dropped = 0;
        for (int ch = 0; ch < 32; ch++)
        {
            var plane = y.AsSpan(ch * 9, 9).ToArray();
            Assert.True(plane.All(v => v == 0f) || plane.All(v => v == 2f), $"channel {ch} is mixed: {string.Join(",", plane)}");
            dropped += plane[0] == 0f ? 1 : 0;
        }
        Assert.InRange(dropped, 4, 28);
        Assert.Throws<ArgumentException>(() => Tensor.Ones(4, 8).ChannelDropout(0.5f, 1, 0));
    }
}
