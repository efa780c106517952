namespace DeepLearning.Tests.Layers;

public class EmbeddingTests
{
    [Fact]
    public void Maps_ids_to_rows_of_its_weight()
    {
        using var scope = TensorScope.Begin();
        var layer = new Embedding(10, 4, seed: 1);
        Assert.Equal(["weight"], layer.NamedParameters().Select(p => p.Key));
        var y = layer.Forward(Tensor.FromSpan([3f, 9f], new Shape(2, 1)));
        Assert.Equal(new Shape(2, 1, 4), y.Shape);
        Assert.Equal(layer.Weight.Slice(9, 1).ToArray(), y.ToArray()[4..]);
    }

    [Fact]
    public void An_id_outside_the_vocabulary_names_the_layer_id_position_and_size()
    {
        using var scope = TensorScope.Begin();
        var layer = new Embedding(10, 4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(Tensor.FromSpan([1f, 2f, 12f], new Shape(1, 3))));
        Assert.StartsWith("Embedding(10 => 4): index 12 at position 2 is outside the vocabulary of size 10", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(0, 4));
    }
}
