using static DeepLearning.Tests.Layers.RecurrentChecks;
using static DeepLearning.Tests.Layers.RecurrentReference;

namespace DeepLearning.Tests.Layers;

public class GruTests
{
    [Fact]
    public void Cell_matches_the_equations_written_as_a_loop()
    {
        using var scope = TensorScope.Begin();
        var cell = new GruCell(I, H, seed: 1);
        float[] x = Rand(B * I, 2), h = Rand(B * H, 3);
        var (output, state) = cell.Forward(Tensor.FromSpan(x, new Shape(B, I)), Tensor.FromSpan(h, new Shape(B, H)));
        var expected = GruStep(cell.WeightIh.ToArray(), cell.WeightHh.ToArray(), cell.BiasIh.ToArray(), cell.BiasHh.ToArray(), x, h, B, I, H);
        AssertClose(expected, output.ToArray(), 1e-5, "h'");
        AssertClose(expected, state.ToArray(), 1e-5, "state");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sequence_equals_the_cell_stepped_by_hand(bool returnSequence)
    {
        using var scope = TensorScope.Begin();
        var layer = new Gru(I, H, returnSequence, seed: 5);
        var cell = new GruCell(I, H, seed: 6);
        SequenceEqualsCellSteppedByHand(layer, OneState(layer.Forward), cell, OneState(cell.Forward), parts: 1, returnSequence);
    }

    [Fact]
    public void Gradients_of_input_state_and_weights_match_finite_differences()
    {
        var layer = new Gru(2, 3, seed: 12);
        GradientsMatchFiniteDifferences(layer, OneState(layer.Forward), parts: 1, seed: 13);
    }

    [Fact]
    public void Parameters_carry_PyTorch_names_and_gate_layout()
    {
        var names = new Gru(I, H).NamedParameters().Select(p => $"{p.Key} {p.Value.Shape}");
        Assert.Equal(["weight_ih_l0 [15,4]", "weight_hh_l0 [15,5]", "bias_ih_l0 [15]", "bias_hh_l0 [15]"], names);
        var cell = new GruCell(I, H).NamedParameters().Select(p => p.Key);
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], cell);
    }

    [Fact]
    public void Bad_input_names_the_layer_and_the_shapes()
    {
        using var scope = TensorScope.Begin();
        var hidden0 = Assert.Throws<ArgumentOutOfRangeException>(() => new GruCell(I, 0));
        Assert.Contains("GruCell: hidden size must be positive", hidden0.Message, StringComparison.Ordinal);
        var layer = new Gru(I, H);
        var empty = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(B, 0, I)));
        Assert.Contains("Gru(4 => 5): the sequence is empty (input [3,0,4])", empty.Message, StringComparison.Ordinal);
        var wrongState = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(B, T, I), Tensor.Zeros(B, H, 1)));
        Assert.Contains("Gru(4 => 5): the state h has shape [3,5,1], expected [3,5]", wrongState.Message, StringComparison.Ordinal);
    }
}
