using static DeepLearning.Tests.Layers.RecurrentChecks;
using static DeepLearning.Tests.Layers.RecurrentReference;

namespace DeepLearning.Tests.Layers;

public class RnnTests
{
    [Fact]
    public void Cell_matches_the_equations_written_as_a_loop()
    {
        using var scope = TensorScope.Begin();
        var cell = new RnnCell(I, H, seed: 1);
        float[] x = Rand(B * I, 2), h = Rand(B * H, 3);
        var (output, state) = cell.Forward(Tensor.FromSpan(x, new Shape(B, I)), Tensor.FromSpan(h, new Shape(B, H)));
        var expected = RnnStep(cell.WeightIh.ToArray(), cell.WeightHh.ToArray(), cell.BiasIh.ToArray(), cell.BiasHh.ToArray(), x, h, B, I, H);
        AssertClose(expected, output.ToArray(), 1e-5, "h'");
        AssertClose(expected, state.ToArray(), 1e-5, "state");
    }

    [Fact]
    public void Relu_cell_matches_the_equations_written_as_a_loop()
    {
        using var scope = TensorScope.Begin();
        var cell = new RnnCell(I, H, seed: 1, activation: Activations.Relu);
        float[] x = Rand(B * I, 2), h = Rand(B * H, 3);
        var (output, _) = cell.Forward(Tensor.FromSpan(x, new Shape(B, I)), Tensor.FromSpan(h, new Shape(B, H)));
        var expected = RnnStep(cell.WeightIh.ToArray(), cell.WeightHh.ToArray(), cell.BiasIh.ToArray(), cell.BiasHh.ToArray(), x, h, B, I, H, relu: true);
        Assert.Contains(expected, v => v == 0f);
        AssertClose(expected, output.ToArray(), 1e-5, "h'");
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Sequence_equals_the_cell_stepped_by_hand(bool returnSequence, bool relu)
    {
        using var scope = TensorScope.Begin();
        var f = relu ? Activations.Relu : null;
        var layer = new Rnn(I, H, returnSequence, seed: 5, activation: f);
        var cell = new RnnCell(I, H, seed: 6, activation: f);
        SequenceEqualsCellSteppedByHand(layer, OneState(layer.Forward), cell, OneState(cell.Forward), parts: 1, returnSequence);
    }

    [Fact]
    public void Gradients_of_input_state_and_weights_match_finite_differences()
    {
        var layer = new Rnn(2, 3, seed: 12);
        GradientsMatchFiniteDifferences(layer, OneState(layer.Forward), parts: 1, seed: 13);
    }

    [Fact]
    public void Relu_gradients_match_finite_differences()
    {
        var layer = new Rnn(2, 3, seed: 15, activation: Activations.Relu);
        // A small step, so that no central difference straddles ReLU's kink at 0 (a straddling one would fail for these seeds).
        GradientsMatchFiniteDifferences(layer, OneState(layer.Forward), parts: 1, seed: 16, epsilon: 1e-3);
    }

    [Fact]
    public void Parameters_carry_PyTorch_names_and_gate_layout()
    {
        var names = new Rnn(I, H).NamedParameters().Select(p => $"{p.Key} {p.Value.Shape}");
        Assert.Equal(["weight_ih_l0 [5,4]", "weight_hh_l0 [5,5]", "bias_ih_l0 [5]", "bias_hh_l0 [5]"], names);
        var cell = new RnnCell(I, H).NamedParameters().Select(p => p.Key);
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], cell);
    }

    [Fact]
    public void Bad_input_names_the_layer_and_the_shapes()
    {
        using var scope = TensorScope.Begin();
        var hidden0 = Assert.Throws<ArgumentOutOfRangeException>(() => new RnnCell(I, 0));
        Assert.Contains("RnnCell: hidden size must be positive", hidden0.Message, StringComparison.Ordinal);
        var layer = new Rnn(I, H);
        var empty = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(B, 0, I)));
        Assert.Contains("Rnn(4 => 5): the sequence is empty (input [3,0,4])", empty.Message, StringComparison.Ordinal);
        var wrongState = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(B, T, I), Tensor.Zeros(B, H, 1)));
        Assert.Contains("Rnn(4 => 5): the state h has shape [3,5,1], expected [3,5]", wrongState.Message, StringComparison.Ordinal);
        var sigmoid = Assert.Throws<ArgumentException>(() => new Rnn(I, H, activation: Activations.Sigmoid));
        Assert.Contains("Rnn: the activation must be Activations.Tanh or Activations.Relu (PyTorch's nonlinearity), got Sigmoid", sigmoid.Message, StringComparison.Ordinal);
        Assert.Equal("Rnn(4 => 5, Relu, last)", new Rnn(I, H, returnSequence: false, activation: Activations.Relu).ToString());
        Assert.Equal("RnnCell(4 => 5, Relu)", new RnnCell(I, H, activation: Activations.Relu).ToString());
    }
}
