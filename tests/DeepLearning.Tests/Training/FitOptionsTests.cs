using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepLearning.Tests.Training;

public class FitOptionsTests
{
    [Fact]
    public void A_validation_split_over_batches_is_refused_not_ignored()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(16, seed: 2);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(TinyLinear.Mse, new DataLoader(x, y, 4), new Descent(0.1f).Setup(model),
            new FitOptions { ValidationSplit = 0.25f }));
        Assert.Contains("ValidationSplit", e.Message, StringComparison.Ordinal);
        Assert.Contains("ValidationData", e.Message, StringComparison.Ordinal);
        Assert.Contains("x, y", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> RateCallbacks() => ["LearningRateScheduler", "ReduceLROnPlateau"];

    [Theory]
    [MemberData(nameof(RateCallbacks))]
    public void A_schedule_and_a_rate_callback_together_are_refused_at_the_start(string callback)
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Descent(0.1f).Setup(model);
        opt.Schedule = new ExponentialDecay(0.1f, 0.5f);
        Callback setter = callback == "ReduceLROnPlateau" ? new ReduceLROnPlateau("loss") : new LearningRateScheduler(e => 0.5f);
        int epochsRun = 0;
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), opt, new FitOptions
        {
            Epochs = 2,
            Callbacks = [new LambdaCallback(onEpochBegin: _ => epochsRun++), setter],
        }));
        Assert.Equal(0, epochsRun);
        Assert.Contains("ExponentialDecay", e.Message, StringComparison.Ordinal);
        Assert.Contains(callback, e.Message, StringComparison.Ordinal);
        Assert.Contains("Schedule = null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_validation_set_is_evaluated_like_the_same_validation_batches()
    {
        var (x, y) = TinyLinear.Problem(24, seed: 2);
        var (vx, vy) = TinyLinear.Problem(10, seed: 3);
        History Run(FitOptions options)
        {
            var model = new TinyLinear(3, 1, seed: 1);
            return model.Fit(TinyLinear.Mse, new DataLoader(x, y, 4), new Descent(0.05f).Setup(model), options);
        }
        var fromSet = Run(new FitOptions { Epochs = 3, ValidationSet = (vx, vy) });
        // Batches of the training size, 4: the mean weighted by samples equals the one over explicit batches.
        var fromBatches = Run(new FitOptions { Epochs = 3, ValidationData = TinyLinear.Batches(vx, vy, 4) });
        Assert.Equal(fromBatches["val_loss"], fromSet["val_loss"]);
        Assert.Equal(3, fromSet["val_loss"].Count);
    }

    [Fact]
    public void A_validation_set_with_validation_data_or_a_split_is_refused()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        var both = Assert.Throws<ArgumentException>(() => model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), new Descent(0.1f).Setup(model),
            new FitOptions { ValidationSet = (x, y), ValidationData = [(x, y)] }));
        Assert.Contains("ValidationSet", both.Message, StringComparison.Ordinal);
        var split = Assert.Throws<ArgumentException>(() => model.Fit(TinyLinear.Mse, x, y, new Descent(0.1f).Setup(model), 4,
            new FitOptions { ValidationSet = (x, y), ValidationSplit = 0.5f }));
        Assert.Contains("ValidationSplit", split.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Verbose_writes_one_line_per_epoch_with_loss_and_metrics(int verbose)
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(16, seed: 2);
        var output = new StringWriter();
        var history = model.Fit(TinyLinear.Mse, new DataLoader(x, y, 4), new Descent(0.05f).Setup(model), new FitOptions
        {
            Epochs = 3,
            ValidationSet = (x, y),
            Metrics = [new Metric("mae", (p, t) => (p - t).Abs().Mean().Item())],
            Verbose = verbose,
            Output = output,
        });
        // A writer other than the console gets no carriage-return bar, whatever the verbosity.
        var text = output.ToString();
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (int e = 0; e < 3; e++)
        {
            Assert.StartsWith($"epoch {e + 1}/3: ", lines[e], StringComparison.Ordinal);
            foreach (var key in new[] { "loss", "mae", "val_loss", "val_mae" })
            {
                var match = Regex.Match(lines[e], $@"(^|[ :,]){key} (-?[0-9.]+)");
                Assert.True(match.Success, $"'{key}' missing in: {lines[e]}");
                Assert.Equal(history[key][e], double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), 1e-4);
            }
        }
    }

    [Fact]
    public void Verbose_zero_writes_nothing_and_other_values_are_refused()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        var output = new StringWriter();
        model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), new Descent(0.05f).Setup(model), new FitOptions { Output = output });
        Assert.Equal("", output.ToString());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4),
            new Descent(0.05f).Setup(model), new FitOptions { Verbose = 3 }));
        Assert.Contains("Verbose", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_carries_the_running_metrics()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        var seen = new List<TrainingProgress>();
        var history = model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), new Descent(0f).Setup(model), new FitOptions
        {
            Metrics = [new Metric("mae", (p, t) => (p - t).Abs().Mean().Item())],
            Progress = new Recorder(seen),
        });
        Assert.Equal(2, seen.Count);
        Assert.Equal(history["mae"][0], seen[1].Metrics["mae"], 1e-6);
    }

    private sealed class Recorder(List<TrainingProgress> seen) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => seen.Add(value);
    }
}
