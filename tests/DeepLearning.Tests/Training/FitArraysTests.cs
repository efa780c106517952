namespace DeepLearning.Tests.Training;

public class FitArraysTests
{
    [Fact]
    public void Validation_split_holds_out_the_last_samples()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Adam(0.05f).Setup(model);
        var (x, y) = TinyLinear.Problem(40, seed: 2);
        var history = model.Fit(TinyLinear.Mse, x, y, opt, batchSize: 8, new FitOptions { Epochs = 15, ValidationSplit = 0.25f });
        Assert.Contains("val_loss", history.Keys);
        Assert.True(history.Loss[^1] < history.Loss[0] * 0.1, $"loss {history.Loss[0]} → {history.Loss[^1]}");
        // The held-out part is the last 10 samples: their loss after training is the last val_loss.
        double val;
        using (TensorScope.Begin()) val = TinyLinear.Mse(model.Forward(x.Slice(30, 10)), y.Slice(30, 10)).Item();
        Assert.Equal(val, history["val_loss"][^1], 1e-6);
    }

    [Fact]
    public void Without_a_split_there_is_no_validation()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(16, seed: 2);
        var history = model.Fit(TinyLinear.Mse, x, y, new Descent(0.1f).Setup(model), batchSize: 4, new FitOptions { Epochs = 2 });
        Assert.DoesNotContain("val_loss", history.Keys);
    }

    [Theory]
    [InlineData(-0.1f, "ValidationSplit must be in [0, 1)")]
    [InlineData(1f, "ValidationSplit must be in [0, 1)")]
    [InlineData(0.01f, "leaves 16 for training and 0 for validation")]
    public void Bad_splits_are_named(float split, string message)
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(16, seed: 2);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(TinyLinear.Mse, x, y, new Descent(0.1f).Setup(model), 4, new FitOptions { ValidationSplit = split }));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_and_validation_data_together_are_refused()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(16, seed: 2);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(TinyLinear.Mse, x, y, new Descent(0.1f).Setup(model), 4,
            new FitOptions { ValidationSplit = 0.25f, ValidationData = [(x, y)] }));
        Assert.Contains("not both", e.Message, StringComparison.Ordinal);
    }
}
