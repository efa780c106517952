namespace DeepLearning.Tests.Layers;

public class BatchNormTests
{
    // Feature 0 holds 1, 2, 3, 6 (mean 3, biased variance 3.5, unbiased 14/3); feature 1 holds 0, 0, 4, 4 (mean 2,
    // biased variance 4, unbiased 16/3).
    private static readonly float[,] X = { { 1, 0 }, { 2, 0 }, { 3, 4 }, { 6, 4 } };

    [Fact]
    public void Training_normalises_with_batch_statistics_and_updates_running_ones()
    {
        var bn = new BatchNorm(2, momentum: 0.1f, epsilon: 1e-5f).TrainMode();
        bn.Weight.Assign(Tensor.FromArray([2f, 0.5f]));
        bn.Bias.Assign(Tensor.FromArray([1f, -1f]));
        var y = bn.Forward(Tensor.FromArray(X)).ToArray2D();
        for (int i = 0; i < 4; i++)
        {
            LayerTesting.AssertClose(2 * (X[i, 0] - 3) / Math.Sqrt(3.5 + 1e-5) + 1, y[i, 0], 1e-5, $"y[{i},0]");
            LayerTesting.AssertClose(0.5 * (X[i, 1] - 2) / Math.Sqrt(4 + 1e-5) - 1, y[i, 1], 1e-5, $"y[{i},1]");
        }
        var mean = bn.RunningMean.ToArray();
        var variance = bn.RunningVar.ToArray();
        LayerTesting.AssertClose(0.1 * 3, mean[0], 1e-6, "running_mean[0]");
        LayerTesting.AssertClose(0.1 * 2, mean[1], 1e-6, "running_mean[1]");
        LayerTesting.AssertClose(0.9 + 0.1 * 14.0 / 3, variance[0], 1e-6, "running_var[0]");
        LayerTesting.AssertClose(0.9 + 0.1 * 16.0 / 3, variance[1], 1e-6, "running_var[1]");
        bn.Forward(Tensor.FromArray(X));
        LayerTesting.AssertClose(0.9 * 0.3 + 0.1 * 3, bn.RunningMean[0], 1e-6, "running_mean[0] after two steps");
    }

    [Fact]
    public void Evaluation_uses_running_statistics()
    {
        var bn = new BatchNorm(2).TestMode();
        bn.Weight.Assign(Tensor.FromArray([2f, 1f]));
        bn.Bias.Assign(Tensor.FromArray([0f, 3f]));
        var y = bn.Forward(Tensor.FromArray(X)).ToArray2D();
        // Running statistics start at mean 0, variance 1 and do not move in evaluation.
        for (int i = 0; i < 4; i++)
        {
            LayerTesting.AssertClose(2 * X[i, 0] / Math.Sqrt(1 + 1e-5), y[i, 0], 1e-5, $"y[{i},0]");
            LayerTesting.AssertClose(X[i, 1] / Math.Sqrt(1 + 1e-5) + 3, y[i, 1], 1e-5, $"y[{i},1]");
        }
        Assert.Equal([0f, 0f], bn.RunningMean.ToArray());
        Assert.Equal([1f, 1f], bn.RunningVar.ToArray());
    }

    [Fact]
    public void Images_are_normalised_per_channel()
    {
        var x = Tensor.Uniform(new Shape(3, 2, 4, 5), -3f, 5f, 8);
        var y = new BatchNorm(2).TrainMode().Forward(x);
        var v = y.ToArray();
        for (int c = 0; c < 2; c++)
        {
            var values = Enumerable.Range(0, 3).SelectMany(n => v.Skip((n * 2 + c) * 20).Take(20)).Select(f => (double)f).ToArray();
            double mean = values.Average(), variance = values.Select(f => (f - mean) * (f - mean)).Average();
            Assert.True(Math.Abs(mean) < 1e-5, $"channel {c} mean {mean}");
            Assert.True(Math.Abs(variance - 1) < 1e-3, $"channel {c} variance {variance}");
        }
    }

    [Fact]
    public void Bad_input_names_the_layer()
    {
        var e = Assert.Throws<ArgumentException>(() => new Chain(new Dense(3, 5, seed: 1), new BatchNorm(4)).Forward(Tensor.Ones(2, 3)));
        Assert.StartsWith("Chain[1] BatchNorm(4): input has 5 features (axis 1), expected 4", e.Message, StringComparison.Ordinal);
        var single = Assert.Throws<ArgumentException>(() => new BatchNorm(3).TrainMode().Forward(Tensor.Ones(1, 3)));
        Assert.Equal("BatchNorm(3): expected more than 1 value per channel when training, got input [1,3]", single.Message);
    }
}
