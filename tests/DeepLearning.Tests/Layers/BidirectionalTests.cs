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
    }

    [Fact]
    public void Parameters_carry_the_names_of_a_PyTorch_bidirectional_rnn()
    {
        var f = new Lstm(3, 4, seed: 1);
        var b = new Lstm(3, 4, seed: 2);
        var bi = new Bidirectional(f, b);
        // nn.LSTM(3, 4, bidirectional=True).state_dict() keys, in its order.
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"], bi.NamedParameters().Select(p => p.Key));
        Assert.Equal([.. f.Parameters(), .. b.Parameters()], bi.Parameters());
        // Inside a chain the position comes first, as PyTorch's Sequential names it.
        var chain = new Chain(bi, new Dense(8, 2, seed: 3));
        Assert.Equal(["0.weight_ih_l0", "0.weight_hh_l0", "0.bias_ih_l0", "0.bias_hh_l0", "0.weight_ih_l0_reverse",
            "0.weight_hh_l0_reverse", "0.bias_ih_l0_reverse", "0.bias_hh_l0_reverse", "1.weight", "1.bias"], chain.NamedParameters().Select(p => p.Key));
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
