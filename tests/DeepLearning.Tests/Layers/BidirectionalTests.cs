namespace DeepLearning.Tests.Layers;

public class BidirectionalTests
{
    [Fact]
    public void Joins_the_forward_layer_and_the_backward_layer_run_on_the_reversed_sequence()
    {
        using var scope = TensorScope.Begin();
        var f = new Gru(3, 4, seed: 1);
        var b = new Gru(3, 5, seed: 2);
        var bi = new Bidirectional(f, b);
        var x = Tensor.Uniform(new Shape(2, 6, 3), -1f, 1f, 3);
        var y = bi.Forward(x);
        Assert.Equal(new Shape(2, 6, 9), y.Shape);
        RecurrentReference.AssertClose(f.Forward(x).ToArray(), y.Slice(2, 0, 4).ToArray(), 1e-6, "forward part");
        RecurrentReference.AssertClose(b.Forward(x.Flip(1)).Flip(1).ToArray(), y.Slice(2, 4, 5).ToArray(), 1e-6, "backward part");
        Assert.Equal(["forward.weight_ih_l0", "forward.weight_hh_l0", "forward.bias_ih_l0", "forward.bias_hh_l0",
            "backward.weight_ih_l0", "backward.weight_hh_l0", "backward.bias_ih_l0", "backward.bias_hh_l0"], bi.NamedParameters().Select(p => p.Key));
    }

    [Fact]
    public void Last_step_outputs_are_joined_without_flipping()
    {
        using var scope = TensorScope.Begin();
        var f = new Lstm(3, 4, returnSequence: false, seed: 4);
        var b = new Lstm(3, 4, returnSequence: false, seed: 5);
        var x = Tensor.Uniform(new Shape(2, 5, 3), -1f, 1f, 6);
        var y = new Bidirectional(f, b).Forward(x);
        Assert.Equal(new Shape(2, 8), y.Shape);
        RecurrentReference.AssertClose(b.Forward(x.Flip(1)).ToArray(), y.Slice(1, 4, 4).ToArray(), 1e-6, "backward part");
        var lstm = new Lstm(3, 4);
        Assert.Throws<ArgumentException>(() => new Bidirectional(lstm, lstm));
    }
}
