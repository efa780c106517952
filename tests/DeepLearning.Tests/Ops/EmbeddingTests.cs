namespace DeepLearning.Tests.Ops;

public class EmbeddingTests
{
    [Fact]
    public void Forward_picks_rows_and_backward_adds_up_repeated_ids()
    {
        using var scope = TensorScope.Begin();
        var table = Tensor.Uniform(new Shape(6, 3), -1f, 1f, 1);
        float[] ids = [5, 0, 5, 2, 5, 1];
        var idx = Tensor.FromSpan(ids, new Shape(2, 3));
        var y = Tensor.Embedding(idx, table);
        Assert.Equal(new Shape(2, 3, 3), y.Shape);
        var t = table.ToArray();
        var ys = y.ToArray();
        for (int i = 0; i < ids.Length; i++)
            for (int d = 0; d < 3; d++)
                Assert.Equal(t[(int)ids[i] * 3 + d], ys[i * 3 + d]);

        var weights = Tensor.Uniform(y.Shape, -1f, 1f, 2);
        var grads = Autodiff.Gradient(() => (Tensor.Embedding(idx, table) * weights).Sum(), [table]);
        var w = weights.ToArray();
        var expected = new float[18];
        for (int i = 0; i < ids.Length; i++)
            for (int d = 0; d < 3; d++)
                expected[(int)ids[i] * 3 + d] += w[i * 3 + d];
        var g = grads[table].ToArray();
        for (int i = 0; i < 18; i++) Assert.Equal(expected[i], g[i], 5);
        Assert.Equal(0f, g[3 * 3]); // id 3 is never used
    }

    [Theory]
    [InlineData(6f, "index 6 at position 4 is outside the vocabulary of size 6")]
    [InlineData(-1f, "index -1 at position 4 is outside the vocabulary of size 6")]
    [InlineData(1.5f, "index 1.5 at position 4 is outside the vocabulary of size 6")]
    public void An_id_outside_the_vocabulary_is_named_with_its_position(float bad, string message)
    {
        using var scope = TensorScope.Begin();
        var table = Tensor.Zeros(6, 3);
        var idx = Tensor.FromSpan([0f, 1f, 2f, 3f, bad, 5f], new Shape(2, 3));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Embedding(idx, table));
        Assert.StartsWith("Embedding: " + message, e.Message, StringComparison.Ordinal);
    }
}
