using static DeepLearning.Activations;

namespace DeepLearning.Tests.Training;

/// <summary>Counts the CPU's live buffers, so it runs alone (other tests allocate meanwhile).</summary>
[Collection("Training.LiveBuffers")]
public class PredictTests
{
    [Theory]
    [InlineData(3)]     // 10 samples: batches of 3, 3, 3, 1
    [InlineData(32)]    // one batch
    public void Predict_equals_the_forward_pass_in_test_mode_and_keeps_only_its_result(int batchSize)
    {
        var model = new Chain(new Dense(4, 6, Relu, seed: 1), new Dropout(0.5f, seed: 2), new BatchNorm(6), new Dense(6, 3, seed: 3));
        var x = Tensor.Normal(new Shape(10, 4), 0f, 1f, seed: 4);
        float[] expected;
        using (TensorScope.Begin())
            expected = model.TestMode().Forward(x).ToArray();
        model.AutoMode();
        model.Predict(x, batchSize).Dispose();      // warms the pool, so the count below sees only what Predict keeps
        long before = Device.Cpu.LiveBuffers;
        using (TensorScope.Begin())
        {
            var y = model.Predict(x, batchSize);
            Assert.Equal(new Shape(10, 3), y.Shape);
            Assert.Equal(before + 1, Device.Cpu.LiveBuffers);
            var actual = y.ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
        }
        Assert.Equal(before, Device.Cpu.LiveBuffers);
        Assert.Equal(LayerMode.Auto, model.Mode);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var model = new Chain(new Dense(4, 2, seed: 1));
        var x = Tensor.Zeros(5, 4);
        Assert.Contains("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(x, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("no samples", Assert.Throws<ArgumentException>(() => model.Predict(Tensor.Zeros(0, 4))).Message, StringComparison.Ordinal);
        var sum = new Lambda(t => t.Sum());
        Assert.Contains("batch axis", Assert.Throws<ArgumentException>(() => sum.Predict(x)).Message, StringComparison.Ordinal);
    }
}
