namespace DeepLearning.Tests.Ops;

/// <summary>Pooling ops: values on a hand-worked example, ties, 1-D forms, global pooling, Flatten and bad input.</summary>
public class PoolingTests
{
    private static readonly Tensor Four = Tensor.FromSpan([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f], new Shape(1, 1, 4, 4));

    [Fact]
    public void Max_and_average_pooling_of_a_known_plane()
    {
        Assert.Equal([6f, 8f, 14f, 16f], Four.MaxPool2D(2).ToArray());
        Assert.Equal([3.5f, 5.5f, 11.5f, 13.5f], Four.AvgPool2D(2).ToArray());
        // 3×3 windows, stride 2, padding 1: the average counts the padding (PyTorch's count_include_pad).
        Assert.Equal([6f, 8f, 14f, 16f], Four.MaxPool2D(3, 2, 1).ToArray());
        Assert.Equal([14f / 9, 30f / 9, 57f / 9, 99f / 9], Four.AvgPool2D(3, 2, 1).ToArray());
    }

    [Fact]
    public void Max_pooling_gradient_goes_to_the_first_maximum_of_a_tie()
    {
        var x = Tensor.FromSpan([5f, 5f, 1f, 5f], new Shape(1, 1, 2, 2));
        var grads = Autodiff.Gradient(() => x.MaxPool2D(2).Sum(), [x]);
        Assert.Equal([1f, 0f, 0f, 0f], grads[x].ToArray());
    }

    [Fact]
    public void One_dimensional_pooling_works_along_the_last_axis()
    {
        var x = Tensor.FromSpan([1f, 3f, 2f, 5f, 4f, 0f, 6f], new Shape(1, 1, 7));
        Assert.Equal([3f, 5f, 4f], x.MaxPool1D(2).ToArray());
        Assert.Equal([3f, 5f, 6f], x.MaxPool1D(3, 2).ToArray());
        Assert.Equal([2f, 3.5f, 2f], x.AvgPool1D(2).ToArray());
    }

    [Fact]
    public void Global_pooling_and_flatten()
    {
        Assert.Equal([8.5f], Four.GlobalAvgPool().ToArray());
        Assert.Equal(new Shape(1, 1), Four.GlobalMaxPool().Shape);
        Assert.Equal([16f], Four.GlobalMaxPool().ToArray());
        Assert.Equal(new Shape(1, 16), Four.Flatten().Shape);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).GlobalAvgPool());
    }

    [Fact]
    public void Bad_input_names_the_op_the_argument_and_the_shapes()
    {
        Assert.StartsWith("MaxPool2D: input [4,4] must be", Assert.Throws<ArgumentException>(() => Tensor.Zeros(4, 4).MaxPool2D(2)).Message, StringComparison.Ordinal);
        Assert.StartsWith("AvgPool2D: the window (5 along the height) is larger than the padded input (4",
            Assert.Throws<ArgumentException>(() => Four.AvgPool2D(5)).Message, StringComparison.Ordinal);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => Four.MaxPool2D(2, 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => Four.MaxPool2D(2, 1, 2)).ParamName);
        Assert.StartsWith("MaxPool1D: input [1,1,4,4] must be", Assert.Throws<ArgumentException>(() => Four.MaxPool1D(2)).Message, StringComparison.Ordinal);
    }
}
