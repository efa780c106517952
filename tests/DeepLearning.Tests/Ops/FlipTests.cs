namespace DeepLearning.Tests.Ops;

public class FlipTests
{
    [Fact]
    public void Flip_reverses_one_axis()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromSpan([0f, 1f, 2f, 3f, 4f, 5f], new Shape(2, 3));
        Assert.Equal([2f, 1f, 0f, 5f, 4f, 3f], x.Flip(1).ToArray());
        Assert.Equal([3f, 4f, 5f, 0f, 1f, 2f], x.Flip(0).ToArray());
    }
}
