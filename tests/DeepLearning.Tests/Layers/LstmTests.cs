using static DeepLearning.Tests.Layers.RecurrentChecks;
using static DeepLearning.Tests.Layers.RecurrentReference;

namespace DeepLearning.Tests.Layers;

public class LstmTests
{
    [Fact]
    public void Cell_matches_the_gate_equations_written_as_a_loop()
    {
        using var scope = TensorScope.Begin();
        var cell = new LstmCell(I, H, seed: 1);
        float[] x = Rand(B * I, 2), h = Rand(B * H, 3), c = Rand(B * H, 4);
        var (output, state) = cell.Forward(Tensor.FromSpan(x, new Shape(B, I)),
            new LstmState(Tensor.FromSpan(h, new Shape(B, H)), Tensor.FromSpan(c, new Shape(B, H))));
        var (eh, ec) = LstmStep(cell.WeightIh.ToArray(), cell.WeightHh.ToArray(), cell.BiasIh.ToArray(), cell.BiasHh.ToArray(), x, h, c, B, I, H);
        AssertClose(eh, output.ToArray(), 1e-5, "h'");
        AssertClose(eh, state.H.ToArray(), 1e-5, "state h'");
        AssertClose(ec, state.C.ToArray(), 1e-5, "c'");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sequence_equals_the_cell_stepped_by_hand(bool returnSequence)
    {
        using var scope = TensorScope.Begin();
        var layer = new Lstm(I, H, returnSequence, seed: 5);
        var cell = new LstmCell(I, H, seed: 6);
        SequenceEqualsCellSteppedByHand(layer, HAndC(layer.Forward), cell, HAndC(cell.Forward), parts: 2, returnSequence);
    }

    [Fact]
    public void Passing_the_final_state_on_continues_the_sequence()
    {
        using var scope = TensorScope.Begin();
        var layer = new Lstm(I, H, seed: 10);
        var x = Tensor.Uniform(new Shape(B, T, I), -1f, 1f, 11);
        var (whole, end) = layer.Forward(x, null);
        var (first, mid) = layer.Forward(x.Slice(1, 0, 2), null);
        var (second, end2) = layer.Forward(x.Slice(1, 2, T - 2), mid);
        AssertClose(whole.Slice(1, 2, T - 2).ToArray(), second.ToArray(), 1e-6, "second half");
        AssertClose(whole.Slice(1, 0, 2).ToArray(), first.ToArray(), 1e-6, "first half");
        AssertClose(end.C.ToArray(), end2.C.ToArray(), 1e-6, "final c");
    }

    [Fact]
    public void Gradients_of_input_state_and_weights_match_finite_differences()
    {
        var layer = new Lstm(2, 3, seed: 12);
        GradientsMatchFiniteDifferences(layer, HAndC(layer.Forward), parts: 2, seed: 13);
    }

    [Fact]
    public void Parameters_carry_PyTorch_names_and_gate_layout()
    {
        var names = new Lstm(I, H).NamedParameters().Select(p => $"{p.Key} {p.Value.Shape}");
        Assert.Equal(["weight_ih_l0 [20,4]", "weight_hh_l0 [20,5]", "bias_ih_l0 [20]", "bias_hh_l0 [20]"], names);
        var cell = new LstmCell(I, H).NamedParameters().Select(p => p.Key);
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], cell);
    }

    [Fact]
    public void Bad_input_names_the_layer_and_the_shapes()
    {
        using var scope = TensorScope.Begin();
        var hidden0 = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(I, 0));
        Assert.Contains("Lstm: hidden size must be positive", hidden0.Message, StringComparison.Ordinal);
        var layer = new Lstm(I, H);
        var empty = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(B, 0, I)));
        Assert.Contains("Lstm(4 => 5): the sequence is empty (input [3,0,4])", empty.Message, StringComparison.Ordinal);
        var wrongState = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(B, T, I), new LstmState(Tensor.Zeros(B, H), Tensor.Zeros(2, H))));
        Assert.Contains("Lstm(4 => 5): the state C has shape [2,5], expected [3,5]", wrongState.Message, StringComparison.Ordinal);
        var features = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(B, T, I + 1)));
        Assert.Contains("must be [batch, time, 4]", features.Message, StringComparison.Ordinal);
        var cellState = Assert.Throws<ArgumentException>(() => new LstmCell(I, H).Forward(Tensor.Zeros(B, I), new LstmState(Tensor.Zeros(B, H + 1), Tensor.Zeros(B, H))));
        Assert.Contains("LstmCell(4 => 5): the state H has shape [3,6]", cellState.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// A steady-state training step of Embedding → Lstm → Dense takes every buffer from the pool (as the MLP steps of
/// TrainerAllocationTests) and allocates on the heap only tensor objects and tape bookkeeping. Alone in the collection
/// those tests use, so no other test drains the shared pool meanwhile.
/// </summary>
[Collection("Training.LiveBuffers")]
public class LstmAllocationTests
{
    // The ~40 tensor objects, views and tape entries of one step (≈ 100 bytes each), far below one buffer of the model.
    private const long BytesPerStep = 8192;

    [Fact]
    public void A_steady_state_step_allocates_no_buffer_and_little_else()
    {
        var model = new Chain(new Embedding(20, 8, seed: 1), new Lstm(8, 16, seed: 2), new Dense(16, 20, seed: 3));
        var opt = new Adam(1e-3f).Setup(model);
        var ids = Enumerable.Range(0, 40).Select(i => (float)(i * 7 % 20)).ToArray();
        var x = Tensor.FromSpan(ids, new Shape(4, 10));
        var y = Tensor.OneHot(ids.Select(v => ((int)v + 1) % 20).ToArray(), 20);
        Func<Tensor, Tensor, Tensor> loss = (a, b) => Losses.LogitCrossEntropy(model.Forward(a).Reshape(-1, 20), b);
        Allocations.AssertSteady("Embedding → Lstm → Dense", 20, BytesPerStep, () =>
        {
            for (int i = 0; i < 20; i++) Trainer.TrainStep(loss, x, y, opt);
        });
    }
}
