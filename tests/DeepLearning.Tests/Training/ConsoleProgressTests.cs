namespace DeepLearning.Tests.Training;

public class ConsoleProgressTests
{
    [Fact]
    public void A_live_bar_redraws_in_place_with_loss_metrics_and_eta_then_ends_with_the_epoch_line()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, live: true);
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(16, seed: 2);
        model.Fit(TinyLinear.Mse, new DataLoader(x, y, 4), new Descent(0.05f).Setup(model), new FitOptions
        {
            Epochs = 2,
            Metrics = [new Metric("mae", (p, t) => (p - t).Abs().Mean().Item())],
            Callbacks = [progress],
            Progress = progress,
        });
        var text = output.ToString();
        // The last batch of each epoch is always drawn: a full bar.
        Assert.Contains("\repoch 1/2 [" + new string('#', 30) + "] 4/4 | loss ", text, StringComparison.Ordinal);
        Assert.Contains("| mae ", text, StringComparison.Ordinal);
        Assert.Contains("| ETA 0:00", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        // The bar is blanked before the epoch line, which reads cleanly after the last '\r'.
        Assert.StartsWith("epoch 2/2: loss ", lines[1][(lines[1].LastIndexOf('\r') + 1)..], StringComparison.Ordinal);
        Assert.Equal(2, progress.EpochTimes.Count);
    }

    [Fact]
    public void Without_the_live_bar_only_epoch_lines_are_written()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, live: false);
        progress.Report(new TrainingProgress { Epoch = 0, Epochs = 1, Batch = 0, BatchesPerEpoch = 1, Loss = 1f });
        Assert.Equal("", output.ToString());
    }
}
