namespace DeepLearning.Tests.Ops;

public class AttentionTests
{
    [Fact]
    public void Causal_mask_allows_the_past_and_the_present()
    {
        using var scope = TensorScope.Begin();
        Assert.Equal([1f, 0f, 0f, 1f, 1f, 0f, 1f, 1f, 1f], Tensor.CausalMask(3).ToArray());
    }

    [Fact]
    public void Masked_softmax_gives_masked_positions_zero_and_a_fully_masked_row_zeros()
    {
        using var scope = TensorScope.Begin();
        var scores = Tensor.FromSpan([1f, 2f, 3f, 1000f, -1000f, 5f], new Shape(2, 3));
        var mask = Tensor.FromSpan([1f, 0f, 1f, 0f, 0f, 0f], new Shape(2, 3));
        var y = Tensor.MaskedSoftmax(scores, mask).ToArray();
        double e = Math.Exp(2);
        Assert.Equal(1 / (1 + e), y[0], 5);
        Assert.Equal(0f, y[1]);
        Assert.Equal(e / (1 + e), y[2], 5);
        Assert.Equal([0f, 0f, 0f], y[3..]);
        Assert.Throws<ArgumentException>(() => Tensor.MaskedSoftmax(scores, Tensor.Ones(3, 3)));
    }
}
