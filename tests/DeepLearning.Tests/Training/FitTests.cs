namespace DeepLearning.Tests.Training;

public class FitTests
{
    /// <summary>A run whose monitored "probe" metric follows a script, one value per epoch.</summary>
    internal sealed class Scripted
    {
        private int _epoch;

        public Scripted(double[] script, OptimizerRule rule, ulong seed = 1)
        {
            Model = new TinyLinear(3, 1, seed);
            Opt = rule.Setup(Model);
            var (x, y) = TinyLinear.Problem(12, seed + 100);
            Data = TinyLinear.Batches(x, y, 4);
            Probe = new Metric("probe", (_, _) => script[_epoch]);
            Tracker = new LambdaCallback(onEpochBegin: c => _epoch = c.Epoch,
                onEpochEnd: (c, _) => WeightsAfter.Add(Model.Weight.ToArray()));
        }

        public TinyLinear Model { get; }
        public Optimizer Opt { get; }
        public List<(Tensor X, Tensor Y)> Data { get; }
        public Metric Probe { get; }
        public LambdaCallback Tracker { get; }
        public List<float[]> WeightsAfter { get; } = [];

        public History Fit(int epochs, params Callback[] callbacks) => Model.Fit(TinyLinear.Mse, Data, Opt, new FitOptions
        {
            Epochs = epochs,
            Metrics = [Probe],
            Callbacks = [Tracker, .. callbacks],
        });
    }

    [Fact]
    public void Fit_records_loss_metrics_validation_and_rate_per_epoch()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Adam(0.05f).Setup(model);
        var (x, y) = TinyLinear.Problem(40, seed: 2);
        var (vx, vy) = TinyLinear.Problem(10, seed: 3);
        var history = model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 8), opt, new FitOptions
        {
            Epochs = 20,
            ValidationData = [(vx, vy)],
            Metrics = [new Metric("mae", (p, t) => (p - t).Abs().Mean().Item())],
        });
        Assert.Equal(["loss", "mae", "val_loss", "val_mae", "lr"], history.Keys);
        Assert.Equal(Enumerable.Range(0, 20), history.Epochs);
        Assert.True(history.Loss[^1] < history.Loss[0] * 0.1, $"loss {history.Loss[0]} → {history.Loss[^1]}");
        // The last validation loss is the model's loss on the validation set after training.
        double val;
        using (TensorScope.Begin()) val = TinyLinear.Mse(model.Forward(vx), vy).Item();
        Assert.Equal(val, history["val_loss"][^1], 1e-6);
        Assert.All(history["lr"], r => Assert.Equal(0.05, r, 1e-7));
    }

    [Fact]
    public void Early_stopping_waits_patience_epochs_and_restores_the_best_weights()
    {
        // Best at epoch 2; epochs 3 and 4 do not improve by more than 0.1 → stop after epoch 4 (patience 2).
        var run = new Scripted([5, 4, 3, 2.95, 3.5, 1, 1], new Descent(0.05f));
        var stop = new EarlyStopping("probe", patience: 2, minDelta: 0.1, restoreBestWeights: true);
        var history = run.Fit(7, stop);
        Assert.Equal(5, history.Count);
        Assert.Equal(2, stop.BestEpoch);
        Assert.Equal(4, stop.StoppedEpoch);
        Assert.Equal(3, stop.Best);
        Assert.NotEqual(run.WeightsAfter[2], run.WeightsAfter[4]);
        Assert.Equal(run.WeightsAfter[2], run.Model.Weight.ToArray());
    }

    [Fact]
    public void Early_stopping_without_restore_keeps_the_last_weights_and_maximizes_accuracies()
    {
        var run = new Scripted([0.5, 0.6, 0.55, 0.9], new Descent(0.05f));
        var stop = new EarlyStopping("probe", patience: 1, mode: MonitorMode.Max);
        var history = run.Fit(4, stop);
        Assert.Equal(3, history.Count);
        Assert.Equal(run.WeightsAfter[2], run.Model.Weight.ToArray());
    }

    [Fact]
    public void Monitoring_a_missing_key_names_the_keys_there_are()
    {
        var run = new Scripted([1, 1], new Descent(0.05f));
        var e = Assert.Throws<InvalidOperationException>(() => run.Fit(2, new EarlyStopping()));
        Assert.Contains("val_loss", e.Message, StringComparison.Ordinal);
        Assert.Contains("probe", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<int, double[]> PlateauCases() => new()
    {
        // Keras's rule by hand, patience 2, factor 0.5, probe 5, 4, then flat: the wait reaches 2 at epochs 3 and 5.
        { 0, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025] },
        // Cooldown 2: after the cut at epoch 3, epoch 4 is cooling down, epoch 5 counts 0→1… the next cut is at epoch 6.
        { 2, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025] },
    };

    [Theory]
    [MemberData(nameof(PlateauCases))]
    public void Reduce_on_plateau_cuts_the_rate_after_patience_epochs(int cooldown, double[] rates)
    {
        var run = new Scripted([5, 4, 4, 4, 4, 4, 4, 4], new Momentum(0.1f));
        var history = run.Fit(8, new ReduceLROnPlateau("probe", factor: 0.5f, patience: 2, cooldown: cooldown));
        for (int e = 0; e < rates.Length; e++) Assert.Equal(rates[e], history["lr"][e], 1e-7);
    }

    [Fact]
    public void Reduce_on_plateau_stops_at_the_floor()
    {
        var run = new Scripted([1, 1, 1, 1, 1], new Descent(0.1f));
        var history = run.Fit(5, new ReduceLROnPlateau("probe", factor: 0.1f, patience: 1, minLearningRate: 0.005f));
        Assert.Equal([0.1, 0.1, 0.01, 0.005, 0.005], history["lr"].Select(r => Math.Round(r, 7)));
    }

    [Fact]
    public void A_scheduler_sets_the_rate_per_epoch()
    {
        var run = new Scripted([1, 1, 1, 1], new Adam());
        var history = run.Fit(4, new LearningRateScheduler(new StepDecay(0.1f, 2, 0.1f)));
        Assert.Equal([0.1, 0.1, 0.01, 0.01], history["lr"].Select(r => Math.Round(r, 7)));
    }

    [Fact]
    public void A_lambda_callback_sees_each_epoch_and_can_stop()
    {
        var run = new Scripted([1, 1, 1, 1, 1], new Descent(0.01f));
        var seen = new List<string>();
        var cb = new LambdaCallback(
            onEpochEnd: (c, logs) => { seen.Add($"end{c.Epoch}:{logs.ContainsKey("loss")}"); c.StopTraining = c.Epoch == 1; },
            onEpochBegin: c => seen.Add($"begin{c.Epoch}"),
            onTrainBegin: c => seen.Add($"train{c.Epochs}"),
            onTrainEnd: c => seen.Add($"done{c.History.Count}"));
        run.Fit(5, cb);
        Assert.Equal(["train5", "begin0", "end0:True", "begin1", "end1:True", "done2"], seen);
    }

    [Fact]
    public void A_non_finite_loss_in_fit_names_the_epoch()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Descent(0.01f).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        int epoch = 0;
        var e = Assert.Throws<ArithmeticException>(() => model.Fit((p, t) => epoch == 2 ? p.Sum() * float.PositiveInfinity : TinyLinear.Mse(p, t),
            TinyLinear.Batches(x, y, 4), opt, new FitOptions { Epochs = 3, Callbacks = [new LambdaCallback(onEpochBegin: c => epoch = c.Epoch)] }));
        Assert.Contains("epoch 2, batch 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_weights_batches_by_samples()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(5, seed: 2);
        double whole;
        using (TensorScope.Begin()) whole = TinyLinear.Mse(model.Forward(x), y).Item();
        var result = model.Evaluate(TinyLinear.Mse, TinyLinear.Batches(x, y, 2));
        Assert.Equal(whole, result["loss"], 1e-5);
    }

    private static (Chain Model, List<(Tensor X, Tensor Y)> Data) BatchNormProblem(float shift)
    {
        var model = new Chain(new BatchNorm(3), new Dense(3, 1, seed: 1));
        var (x, y) = TinyLinear.Problem(16, seed: 2);
        return (model, TinyLinear.Batches(x + shift, y, 4));
    }

    [Fact]
    public void Evaluate_runs_in_evaluation_mode_even_after_TrainMode()
    {
        var (model, data) = BatchNormProblem(100f);
        model.TrainMode();
        var bn = (BatchNorm)model[0];
        var before = bn.RunningMean.ToArray();
        model.Evaluate(TinyLinear.Mse, data);
        Assert.Equal(before, bn.RunningMean.ToArray());
        Assert.Equal(LayerMode.Train, bn.Mode);
    }

    [Fact]
    public void Early_stopping_restores_buffers_with_the_best_weights()
    {
        // A zero learning rate keeps the loss flat, so epoch 0 stays the best while the running statistics move on.
        var (model, data) = BatchNormProblem(5f);
        var bn = (BatchNorm)model[0];
        float[]? afterFirst = null;
        var record = new LambdaCallback(onEpochEnd: (c, _) => afterFirst ??= bn.RunningMean.ToArray());
        model.Fit(TinyLinear.Mse, data, new Descent(0f).Setup(model), new FitOptions
        {
            Epochs = 6,
            Callbacks = [record, new EarlyStopping("loss", patience: 2, restoreBestWeights: true)],
        });
        Assert.Equal(afterFirst, bn.RunningMean.ToArray());
    }

    [Fact]
    public void The_logged_rate_is_the_one_each_epoch_starts_with()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Descent(0.5f).Setup(model);
        opt.Schedule = LearningRateSchedule.FromFunction(t => 0.01f * (t + 1));
        var (x, y) = TinyLinear.Problem(16, seed: 2);
        var history = model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), opt, new FitOptions { Epochs = 3 });
        Assert.Equal([0.01, 0.05, 0.09], history["lr"].Select(r => Math.Round(r, 6)));
    }

    [Fact]
    public void Fit_refuses_an_optimizer_set_up_on_another_model()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var other = new TinyLinear(3, 1, seed: 2);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), new Adam().Setup(other)));
        Assert.Contains("set up on parameters other than the model's", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.1f, 0.1)]
    [InlineData(3e-4f, 3e-4)]
    public void The_rate_is_logged_as_the_float_reads_not_widened(float rate, double logged)
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        var history = model.Fit(TinyLinear.Mse, TinyLinear.Batches(x, y, 4), new Descent(rate).Setup(model), new FitOptions { Epochs = 1 });
        Assert.Equal(logged, history["lr"][0]);
    }
}
