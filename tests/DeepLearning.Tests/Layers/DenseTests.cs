namespace DeepLearning.Tests.Layers;

public class DenseTests
{
    [Fact]
    public void Forward_is_x_times_weight_transposed_plus_bias()
    {
        var d = new Dense(3, 2, seed: 1);
        d.Weight.Assign(Tensor.FromArray(new float[,] { { 1, 2, 3 }, { -1, 0, 1 } }));
        d.Bias!.Assign(Tensor.FromArray([0.5f, -2f]));
        var y = d.Forward(Tensor.FromArray(new float[,] { { 1, 1, 1 }, { 2, 0, -1 } })).ToArray2D();
        Assert.Equal(new float[,] { { 6.5f, -2f }, { -0.5f, -5f } }, y);
        Assert.Equal([6.5f, -2f], d.Forward(Tensor.FromArray([1f, 1f, 1f])).ToArray());
        Assert.Equal(new Shape(2), d.Forward(Tensor.Ones(3)).Shape);
    }

    [Fact]
    public void Activation_is_applied_after_the_affine_map()
    {
        var d = new Dense(2, 1, Activations.Relu, seed: 1);
        d.Weight.Assign(Tensor.FromArray(new float[,] { { 1, -1 } }));
        Assert.Equal(new float[,] { { 0f }, { 3f } }, d.Forward(Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 0 } })).ToArray2D());
    }

    [Fact]
    public void Shapes_follow_flux_and_pytorch_layout()
    {
        var d = new Dense(784, 128, seed: 3);
        Assert.Equal(new Shape(128, 784), d.Weight.Shape);
        Assert.Equal(new Shape(128), d.Bias!.Shape);
        Assert.All(d.Bias.ToArray(), b => Assert.Equal(0f, b));
        Assert.Null(new Dense(4, 3, bias: false, seed: 1).Bias);
    }

    [Fact]
    public void Same_seed_gives_same_weights_and_defaults_are_reproducible_after_SetSeed()
    {
        Assert.Equal(new Dense(5, 4, seed: 7).Weight.ToArray(), new Dense(5, 4, seed: 7).Weight.ToArray());
        Assert.NotEqual(new Dense(5, 4, seed: 7).Weight.ToArray(), new Dense(5, 4, seed: 8).Weight.ToArray());
        Init.SetSeed(123);
        var a = new Chain(new Dense(3, 3), new Dense(3, 3));
        Init.SetSeed(123);
        var b = new Chain(new Dense(3, 3), new Dense(3, 3));
        Assert.Equal(a.Parameters().SelectMany(p => p.ToArray()), b.Parameters().SelectMany(p => p.ToArray()));
        Assert.NotEqual(((Dense)a[0]).Weight.ToArray(), ((Dense)a[1]).Weight.ToArray());
    }

    [Fact]
    public void Custom_initialiser_is_used()
    {
        var d = new Dense(2, 3, init: Init.Ones, seed: 1);
        Assert.All(d.Weight.ToArray(), w => Assert.Equal(1f, w));
    }

    [Fact]
    public void Wrong_feature_count_names_layer_and_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dense(4, 3, seed: 1).Forward(Tensor.Ones(2, 5)));
        Assert.StartsWith("Dense(4 => 3): input has 5 features, expected 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2,5]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0, 3));
    }

    [Fact]
    public void An_initialiser_may_return_a_tensor_it_keeps()
    {
        var pretrained = Tensor.Full(new Shape(3, 2), 0.5f);
        var dense = new Dense(2, 3, init: (_, _) => pretrained);
        Assert.False(pretrained.IsDisposed);
        Assert.Equal(pretrained.ToArray(), dense.Weight.ToArray());
    }
}
