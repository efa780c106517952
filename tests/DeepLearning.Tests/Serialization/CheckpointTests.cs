using static DeepLearning.Activations;

namespace DeepLearning.Tests.Serialization;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("checkpoint-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Rules() => ["Adam+schedule", "Momentum", "ClipNorm+AdamW", "WeightDecay+Nesterov", "RmsProp", "AdaGrad"];

    private static Optimizer Optimizer(string rule, Layer model)
    {
        var opt = (rule switch
        {
            "Adam+schedule" => new Adam(0.02f),
            "Momentum" => new Momentum(0.05f),
            "ClipNorm+AdamW" => new OptimizerChain(new ClipNorm(0.5f), new AdamW(0.02f)),
            "WeightDecay+Nesterov" => new OptimizerChain(new WeightDecay(1e-3f), new Nesterov(0.05f)),
            "RmsProp" => new RmsProp(0.01f),
            _ => (OptimizerRule)new AdaGrad(0.05f),
        }).Setup(model);
        if (rule.EndsWith("schedule", StringComparison.Ordinal)) opt.Schedule = new ExponentialDecay(0.02f, 0.9f);
        return opt;
    }

    // The init seed varies so a loaded model provably takes its weights from the file; Dropout's seed is a
    // hyper-parameter (code), its mask position is state (in the file).
    private static Chain Model(ulong initSeed) =>
        new(new Dense(4, 8, seed: initSeed), new BatchNorm(8), (Func<Tensor, Tensor>)Relu, new Dropout(0.2f, seed: 77), new Dense(8, 3, seed: initSeed + 1));

    private static DataLoader Data()
    {
        var x = Tensor.FromSpan(TestData.Uniform(60 * 4, 21), new Shape(60, 4));
        var y = Tensor.FromSpan(TestData.Uniform(60 * 3, 22), new Shape(60, 3));
        return new DataLoader(x, y, batchSize: 16, shuffle: true, seed: 5);
    }

    private static void Fit(Layer model, Optimizer opt, DataLoader data, int epochs, params Callback[] callbacks) =>
        model.Fit(Losses.Mse, data, opt, new FitOptions { Epochs = epochs, Callbacks = callbacks });

    private static List<float[]> State(Layer model) =>
        [.. model.Parameters().Select(p => p.ToArray()), .. model.NamedBuffers().Select(b => b.Value.ToArray())];

    private static void AssertBitIdentical(List<float[]> expected, List<float[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.Equal(expected[i].Select(BitConverter.SingleToInt32Bits), actual[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void TwoEpochsSavedLoadedAndOneMore_EqualsThreeStraight_BitForBit(string rule)
    {
        var straight = Model(1);
        var straightOpt = Optimizer(rule, straight);
        Fit(straight, straightOpt, Data(), 3);

        var first = Model(1);
        var firstOpt = Optimizer(rule, first);
        var firstData = Data();
        Fit(first, firstOpt, firstData, 2);
        var path = Path.Combine(_dir, "run.safetensors");
        Checkpoint.Save(path, first, firstOpt, firstData);

        var resumed = Model(1000);
        var resumedOpt = Optimizer(rule, resumed);
        var resumedData = Data();
        Checkpoint.Load(path, resumed, resumedOpt, resumedData);
        Assert.Equal(firstOpt.Iterations, resumedOpt.Iterations);
        Assert.Equal(2, resumedData.EpochsStarted);
        Fit(resumed, resumedOpt, resumedData, 1);

        AssertBitIdentical(State(straight), State(resumed));
        Assert.Equal(straightOpt.LearningRate, resumedOpt.LearningRate);
        Assert.Equal(straightOpt.States.Select(s => s.Step), resumedOpt.States.Select(s => s.Step));
    }

    [Fact]
    public void WithoutTheCheckpoint_TheContinuationDiffers()
    {
        // The control of the test above: a fresh optimizer and loader do not continue the run.
        var straight = Model(1);
        Fit(straight, Optimizer("Adam+schedule", straight), Data(), 3);
        var first = Model(1);
        Fit(first, Optimizer("Adam+schedule", first), Data(), 2);
        Fit(first, Optimizer("Adam+schedule", first), Data(), 1);
        Assert.NotEqual(State(straight)[0], State(first)[0]);
    }

    [Fact]
    public void Load_OtherRule_Data_OrModelFile_IsRejectedWithTheReason_AndChangesNothing()
    {
        var model = Model(1);
        var opt = Optimizer("Adam+schedule", model);
        var data = Data();
        Fit(model, opt, data, 1);
        var path = Path.Combine(_dir, "c.safetensors");
        Checkpoint.Save(path, model, opt, data);

        var fresh = Model(2);
        var before = State(fresh);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, fresh, Optimizer("Momentum", fresh)));
        Assert.Contains("optimizer rule Adam, this run has Momentum", e.Message);
        var other = new DataLoader(data.X, data.Y, batchSize: 16, shuffle: true, seed: 6);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, fresh, Optimizer("Adam+schedule", fresh), other));
        Assert.Contains("data loader seed 5, this run has 6", e.Message);
        var wider = new Chain(new Dense(4, 9, seed: 3), new BatchNorm(9), (Func<Tensor, Tensor>)Relu, new Dropout(0.2f, seed: 77), new Dense(9, 3, seed: 4));
        var m = Assert.Throws<StateDictMismatchException>(() => Checkpoint.Load(path, wider, Optimizer("Adam+schedule", wider)));
        Assert.Contains("shape 0.weight: model [9,4], file [8,4]", m.Message);
        AssertBitIdentical(before, State(fresh));

        var weights = Path.Combine(_dir, "w.safetensors");
        model.Save(weights);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(weights, fresh, Optimizer("Adam+schedule", fresh)));
        Assert.Contains("is not a checkpoint", e.Message);
    }

    [Fact]
    public void Callback_SavesEveryEpoch_KeepsTheLastK_AndTheBest()
    {
        var model = Model(1);
        var opt = Optimizer("Adam+schedule", model);
        var data = Data();
        var folder = Path.Combine(_dir, "ckpts");
        var callback = new Checkpoint(folder, every: 1, keepLast: 2, monitor: "loss", data: data);
        Fit(model, opt, data, 4, callback);

        var files = Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order().ToArray();
        int steps = 4 * data.Count;
        Assert.Equal(["best.safetensors", $"epoch0003-step{3 * data.Count:D9}.safetensors", $"epoch0004-step{steps:D9}.safetensors"], files);
        Assert.Equal(Path.Combine(folder, $"epoch0004-step{steps:D9}.safetensors"), callback.LastPath);
        Assert.InRange(callback.BestEpoch, 0, 3);

        var resumed = Model(9);
        var resumedOpt = Optimizer("Adam+schedule", resumed);
        Checkpoint.Load(callback.LastPath!, resumed, resumedOpt, Data());
        AssertBitIdentical(State(model), State(resumed));
    }

    [Fact]
    public void Callback_NeedsSomethingToSave()
    {
        Assert.Throws<ArgumentException>(() => new Checkpoint(_dir, every: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Checkpoint(_dir, keepLast: -1));
    }
}
