namespace DeepLearning.Tests.Layers;

public class DropoutTests
{
    [Theory]
    [InlineData(0.2f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void Training_keeps_the_mean_and_drops_a_fraction_p(float p)
    {
        var layer = new Dropout(p, seed: 1).TrainMode();
        var y = layer.Forward(Tensor.Ones(200, 100)).ToArray();
        double dropped = y.Count(v => v == 0f) / (double)y.Length;
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - 1 / (1 - p)) < 1e-5, $"value {v}"));
        Assert.True(Math.Abs(dropped - p) < 0.02, $"dropped {dropped}, p {p}");
        Assert.True(Math.Abs(y.Average() - 1.0) < 0.05 * (1 + p / (1 - p)), $"mean {y.Average()}");
    }

    [Fact]
    public void Evaluation_is_the_identity()
    {
        var x = Tensor.Uniform(new Shape(4, 5), -1f, 1f, 2);
        Assert.Same(x, new Dropout(0.5f, seed: 1).TestMode().Forward(x));
        Assert.Same(x, new Dropout(0.5f, seed: 1).Forward(x)); // automatic mode, no gradient being taken
    }

    [Fact]
    public void Successive_calls_differ_and_a_seed_repeats_the_run()
    {
        var x = Tensor.Ones(8, 8);
        var a = new Dropout(0.5f, seed: 7).TrainMode();
        var b = new Dropout(0.5f, seed: 7).TrainMode();
        var a1 = a.Forward(x).ToArray();
        var a2 = a.Forward(x).ToArray();
        Assert.NotEqual(a1, a2);
        Assert.Equal(a1, b.Forward(x).ToArray());
        Assert.Equal(a2, b.Forward(x).ToArray());
    }

    [Fact]
    public void Drops_while_a_gradient_is_taken_in_automatic_mode()
    {
        var x = Tensor.Ones(10, 10);
        var layer = new Dropout(0.5f, seed: 3);
        var g = Autodiff.Gradient(() => layer.Forward(x).Sum(), [x])[x].ToArray();
        Assert.Contains(0f, g);
        Assert.Contains(2f, g);
    }

    [Theory]
    [InlineData(-0.01f)]
    [InlineData(1f)]
    [InlineData(1.5f)]
    public void Probability_outside_unit_interval_is_an_error(float p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(p));
        Assert.Contains("Dropout", e.Message, StringComparison.Ordinal);
    }
}
