namespace DeepLearning.Tests.Ops;

public class ConvolutionArgumentsTests
{
    [Fact]
    public void Sizes_and_paddings_convert_from_ints_and_tuples_and_print_briefly()
    {
        Size2D square = 3, pair = (2, 5);
        Assert.Equal(new Size2D(3, 3), square);
        Assert.Equal("2×5", pair.ToString());
        Padding all = 2, vh = (1, 3);
        Assert.Equal((2, 2, 2, 2), (all.Top, all.Bottom, all.Left, all.Right));
        Assert.Equal((1, 1, 3, 3), (vh.Top, vh.Bottom, vh.Left, vh.Right));
        Assert.Equal("valid", Padding.Valid.ToString());
        Assert.Equal("same", Padding.Same.ToString());
        Assert.Equal("2", all.ToString());
        Assert.Equal("(1, 3)", vh.ToString());
        Assert.Equal("(1, 0, 2, 3)", Padding.Explicit(1, 0, 2, 3).ToString());
        Assert.True(Padding.Same.IsSame);
        Assert.Equal(Padding.Valid, default);
    }
}
