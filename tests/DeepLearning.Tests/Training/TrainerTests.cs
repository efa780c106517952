namespace DeepLearning.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void TrainStep_reduces_the_loss_of_the_tiny_model()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Adam(0.05f).Setup(model);
        var (x, y) = TinyLinear.Problem(32, seed: 2);
        Tensor Loss(Tensor a, Tensor b) => TinyLinear.Mse(model.Forward(a), b);
        float first = Trainer.TrainStep(Loss, x, y, opt);
        float last = first;
        for (int i = 0; i < 300; i++) last = Trainer.TrainStep(Loss, x, y, opt);
        Assert.True(last < first * 0.01f, $"loss went from {first} to {last}");
        var w = model.Weight.ToArray();
        Assert.Equal(2f, w[0], 0.05f);
        Assert.Equal(-1f, w[1], 0.05f);
        Assert.Equal(0.3f, model.Bias.ToArray()[0], 0.05f);
    }

    [Fact]
    public void TrainStep_returns_the_loss_before_the_update()
    {
        var model = new TinyLinear(3, 1, seed: 3);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(6, seed: 4);
        float before;
        using (TensorScope.Begin()) before = TinyLinear.Mse(model.Forward(x), y).Item();
        Assert.Equal(before, Trainer.TrainStep((a, b) => TinyLinear.Mse(model.Forward(a), b), x, y, opt));
    }

    [Fact]
    public void Train_returns_the_sample_weighted_mean_loss()
    {
        var model = new TinyLinear(3, 1, seed: 5);
        var opt = new Descent(0f).Setup(model);            // η = 0: the parameters stay put, so each batch's loss is known
        var (x, y) = TinyLinear.Problem(7, seed: 6);
        var batches = TinyLinear.Batches(x, y, 3);          // 3 + 3 + 1 rows
        double expected = 0;
        using (TensorScope.Begin())
            foreach (var (bx, by) in batches) expected += TinyLinear.Mse(model.Forward(bx), by).Item() * bx.Shape[0] / 7.0;
        float mean = Trainer.Train((a, b) => TinyLinear.Mse(model.Forward(a), b), batches, opt);
        Assert.Equal(expected, mean, 1e-5);
    }

    [Fact]
    public void Train_accepts_a_zip_of_per_sample_lists()
    {
        var p = new Parameter(Tensor.Zeros(1));
        var opt = new Descent(0.1f).Setup([p]);
        var xs = new[] { Tensor.Scalar(1f), Tensor.Scalar(2f) };
        var ys = new[] { Tensor.Scalar(3f), Tensor.Scalar(5f) };
        // loss = (p·x − y)²; after the first sample p = 0 + 0.1·2·3·1 = 0.6.
        float mean = Trainer.Train((x, y) => (p * x - y).Square().Sum(), xs.Zip(ys), opt);
        Assert.Equal((9 + (1.2 - 5) * (1.2 - 5)) / 2, mean, 1e-5);
    }

    [Fact]
    public void A_non_finite_loss_throws_naming_epoch_and_batch_and_leaves_the_parameters()
    {
        var model = new TinyLinear(3, 1, seed: 7);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(12, seed: 8);
        var batches = TinyLinear.Batches(x, y, 3);
        int calls = 0;
        float[]? before = null;
        Tensor Loss(Tensor a, Tensor b)
        {
            var l = TinyLinear.Mse(model.Forward(a), b);
            if (++calls == 3)
            {
                before = model.Weight.ToArray();
                return l * float.NaN;
            }
            return l;
        }
        var e = Assert.Throws<ArithmeticException>(() => Trainer.Train(Loss, batches, opt, epoch: 4));
        Assert.Contains("epoch 4, batch 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Weight.ToArray());
    }

    [Fact]
    public void Empty_data_is_an_error()
    {
        var opt = new Descent().Setup([new Parameter(Tensor.Zeros(1))]);
        Assert.Throws<ArgumentException>(() => Trainer.Train((x, y) => x.Sum(), [], opt));
    }

    [Fact]
    public void Progress_reports_every_batch()
    {
        var model = new TinyLinear(3, 1, seed: 9);
        var opt = new Descent(0f).Setup(model);
        var (x, y) = TinyLinear.Problem(10, seed: 10);
        var batches = TinyLinear.Batches(x, y, 4);
        var reports = new List<TrainingProgress>();
        float mean = Trainer.Train((a, b) => TinyLinear.Mse(model.Forward(a), b), batches, opt, new Collect(reports), epoch: 2);
        Assert.Equal([0, 1, 2], reports.Select(r => r.Batch));
        Assert.All(reports, r => Assert.Equal(3, r.BatchesPerEpoch));
        Assert.All(reports, r => Assert.Equal(2, r.Epoch));
        Assert.Equal(mean, reports[^1].Loss, 1e-6f);
        Assert.Equal(TimeSpan.Zero, reports[^1].Remaining);
        Assert.True(reports[^1].SamplesPerSecond >= 0);
    }

    [Fact]
    public void Progress_knows_the_batch_count_of_a_DataLoader()
    {
        var model = new TinyLinear(3, 1, seed: 9);
        var opt = new Descent(0f).Setup(model);
        var (x, y) = TinyLinear.Problem(10, seed: 10);
        var reports = new List<TrainingProgress>();
        Trainer.Train((a, b) => TinyLinear.Mse(model.Forward(a), b), new DataLoader(x, y, batchSize: 4), opt, new Collect(reports));
        Assert.All(reports, r => Assert.Equal(3, r.BatchesPerEpoch));
        Assert.NotNull(reports[0].Remaining);
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    internal sealed class Collect(List<TrainingProgress> into) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => into.Add(value);
    }
}
