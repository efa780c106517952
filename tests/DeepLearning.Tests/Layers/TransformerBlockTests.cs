namespace DeepLearning.Tests.Layers;

public class TransformerBlockTests
{
    [Fact]
    public void Is_the_pre_norm_composition_of_its_parts()
    {
        using var scope = TensorScope.Begin();
        var block = new TransformerBlock(8, 2, 16, causal: true, seed: 1);
        var x = Tensor.Uniform(new Shape(2, 5, 8), -1f, 1f, 2);
        var h = x + block.SelfAttention.Forward(block.Norm1.Forward(x));
        var expected = h + block.Linear2.Forward(block.Linear1.Forward(block.Norm2.Forward(h)));
        RecurrentReference.AssertClose(expected.ToArray(), block.Forward(x).ToArray(), 1e-6, "block");
    }

    [Fact]
    public void A_causal_block_does_not_look_ahead()
    {
        using var scope = TensorScope.Begin();
        var block = new TransformerBlock(8, 2, 16, causal: true, seed: 3);
        var x = Tensor.Uniform(new Shape(1, 5, 8), -1f, 1f, 4).ToArray();
        var y1 = block.Forward(Tensor.FromSpan(x, new Shape(1, 5, 8))).ToArray();
        for (int i = 3 * 8; i < x.Length; i++) x[i] += 1f; // change steps 3 and 4
        var y2 = block.Forward(Tensor.FromSpan(x, new Shape(1, 5, 8))).ToArray();
        RecurrentReference.AssertClose(y1[..(3 * 8)], y2[..(3 * 8)], 1e-6, "steps 0-2");
        Assert.NotEqual(y1[(3 * 8)..], y2[(3 * 8)..]);
    }

    [Fact]
    public void Gradients_match_finite_differences_and_names_follow_PyTorch()
    {
        using var scope = TensorScope.Begin();
        var block = new TransformerBlock(4, 2, 6, seed: 5);
        Assert.Equal(["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"],
            block.NamedParameters().Select(p => p.Key));
        var x = Tensor.Uniform(new Shape(2, 3, 4), -1f, 1f, 6);
        var result = GradientCheck.Run(() => LayerTesting.WeightedSum(block.Forward(x)), [x, .. block.Parameters()], epsilon: 1e-2, tolerance: 3e-2);
        Assert.True(result.Passed, result.ToString());
    }
}

/// <summary>
/// A steady-state training step of a block whose attention products are split over the cores by batch (16 products
/// of 64×64·64×32) takes every buffer from the pool and allocates on the heap only tensor objects and tape bookkeeping.
/// </summary>
[Collection("Training.LiveBuffers")]
public class TransformerBlockAllocationTests
{
    // About 80 tensor objects, views and tape entries per step (≈ 100 bytes each), far below one buffer of the model.
    private const long BytesPerStep = 16384;

    [Fact]
    public void A_steady_state_step_allocates_no_buffer_and_little_else()
    {
        var model = new Chain(new TransformerBlock(64, 2, 128, seed: 1), new Dense(64, 8, seed: 2));
        var opt = new Adam(1e-3f).Setup(model);
        var x = Tensor.Uniform(new Shape(8, 64, 64), -1f, 1f, 3);
        var y = Tensor.Uniform(new Shape(8 * 64, 8), -1f, 1f, 4);
        Func<Tensor, Tensor, Tensor> loss = (a, b) => Losses.Mse(model.Forward(a).Reshape(-1, 8), b);
        Allocations.AssertSteady("TransformerBlock → Dense", 5, BytesPerStep, () =>
        {
            for (int i = 0; i < 5; i++) Trainer.TrainStep(loss, x, y, opt);
        }, tries: 3);
    }
}
