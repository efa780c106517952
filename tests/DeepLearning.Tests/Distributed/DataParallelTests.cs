using DeepLearning.Distributed;
using static DeepLearning.Activations;

namespace DeepLearning.Tests.Distributed;

/// <summary>
/// Data-parallel training with ranks as threads (<see cref="ThreadCommunicator"/>): two ranks on their shards train
/// exactly as one process on the concatenated batches, and agree on everything they log.
/// </summary>
public class DataParallelTests
{
    private const int Samples = 64;
    private const int Features = 6;
    private const int Classes = 3;

    // Rank-independent data as arrays: each rank makes its own tensors, as each process would load its own.
    private static readonly float[] Xs = Tensor.RandN(new Shape(Samples, Features), 41).ToArray();
    private static readonly int[] Labels = [.. Enumerable.Range(0, Samples).Select(i => (int)(Math.Abs(Xs[i * Features] + 2 * Xs[i * Features + 1]) * 2) % Classes)];

    private static (Tensor X, Tensor Y) Data() =>
        (Tensor.FromSpan(Xs, new Shape(Samples, Features)), Tensor.OneHot(Labels, Classes));

    private static Chain Mlp(ulong seed) => new(new Dense(Features, 16, Relu, seed: seed), new Dense(16, Classes, seed: seed + 1));

    private static OptimizerRule Rule(string name) => name == "adam" ? new Adam(1e-2f) : new Descent(0.2f);

    private static float[][] Snapshot(Layer model) =>
        [.. model.Parameters().Select(p => p.ToArray()), .. model.NamedBuffers().Select(b => b.Value.ToArray())];

    /// <summary>One epoch through the public entry points a user might train with.</summary>
    private static void Epoch(string loop, Layer model, DataLoader data, Optimizer opt)
    {
        Tensor Loss(Tensor x, Tensor y) => Losses.LogitCrossEntropy(model.Forward(x), y);
        switch (loop)
        {
            case "train":
                Trainer.Train(Loss, data, opt);
                break;
            case "step":
                foreach (var (x, y) in data) Trainer.TrainStep(Loss, x, y, opt);
                break;
            default:
                foreach (var (x, y) in data)
                {
                    var (_, grads) = Autodiff.ValueAndGradient(() => Loss(x, y), opt.Parameters);
                    opt.Update(grads);
                }
                break;
        }
    }

    public static TheoryData<string, string> Loops() => new()
    {
        { "adam", "train" },
        { "sgd", "train" },
        { "adam", "step" },
        { "sgd", "loop" },
    };

    // Bit-identity with one process is not expected: the weight gradient's sum over the batch runs inside one GEMM over
    // 2B rows there, but as two B-row GEMMs and an average here (a different rounding order). Between the ranks it is
    // exact: both apply the same averaged gradient to the same weights.
    [Theory]
    [MemberData(nameof(Loops))]
    public void Two_ranks_train_as_one_process_on_the_concatenated_batches(string rule, string loop)
    {
        const int Batch = 8, Epochs = 2;
        var ranks = ThreadGroup.Run(2, comm =>
        {
            var (x, y) = Data();
            var model = Mlp(seed: 10 + 100 * (ulong)comm.Rank);   // different starts: the broadcast makes them rank 0's
            var opt = Rule(rule).Setup(model);
            using var dp = new DataParallel(model, opt, comm);
            var data = new DataLoader(x, y, Batch, shuffle: true, seed: 3).Shard(comm);
            for (int e = 0; e < Epochs; e++) Epoch(loop, model, data, opt);
            return Snapshot(model);
        });

        var (x, y) = Data();
        var reference = Mlp(seed: 10);
        var opt = Rule(rule).Setup(reference);
        // Rank r's batch b holds positions 2(bB + j) + r of the epoch's order: together, the single loader's batch b.
        var all = new DataLoader(x, y, 2 * Batch, shuffle: true, seed: 3);
        for (int e = 0; e < Epochs; e++) Epoch(loop, reference, all, opt);
        var expected = Snapshot(reference);

        Assert.Equal(ranks[0], ranks[1]);
        Assert.NotEqual(Snapshot(Mlp(seed: 10)), ranks[0]);   // it trained
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Tolerance.RelativeDifference(ranks[0][i], expected[i]) <= 1e-6, $"tensor {i}: relative difference {Tolerance.RelativeDifference(ranks[0][i], expected[i])}");
    }

    [Fact]
    public void Fit_on_two_ranks_logs_the_numbers_of_one_process_on_every_rank()
    {
        const int Batch = 8;
        var options = (DataLoader validation) => new FitOptions { Epochs = 3, ValidationData = validation, Metrics = [Metric.Accuracy] };
        var histories = ThreadGroup.Run(2, comm =>
        {
            var (x, y) = Data();
            var model = Mlp(seed: 20 + (ulong)comm.Rank);
            var opt = new Adam(1e-2f).Setup(model);
            using var dp = new DataParallel(model, opt, comm);
            var train = new DataLoader(x, y, Batch, shuffle: true, seed: 5).Shard(comm);
            var validation = new DataLoader(x.Slice(0, 40), y.Slice(0, 40), 8).Shard(comm);
            return model.Fit(Losses.LogitCrossEntropy, train, opt, options(validation));
        });

        var (x, y) = Data();
        var reference = Mlp(seed: 20);
        var expected = reference.Fit(Losses.LogitCrossEntropy, new DataLoader(x, y, 2 * Batch, shuffle: true, seed: 5), new Adam(1e-2f).Setup(reference),
            options(new DataLoader(x.Slice(0, 40), y.Slice(0, 40), 8)));

        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy", "lr"], histories[0].Keys);
        foreach (var key in expected.Keys)
            for (int e = 0; e < expected.Count; e++)
            {
                Assert.Equal(histories[0][key][e], histories[1][key][e]);
                Assert.True(Math.Abs(histories[0][key][e] - expected[key][e]) <= 1e-5 * Math.Max(1, Math.Abs(expected[key][e])),
                    $"{key} epoch {e}: {histories[0][key][e]} on the ranks, {expected[key][e]} in one process");
            }
    }

    [Fact]
    public void Only_rank_0_prints_and_saves_checkpoints()
    {
        string root = Path.Combine(Path.GetTempPath(), "dp-checkpoints-" + Guid.NewGuid().ToString("N"));
        try
        {
            var outputs = ThreadGroup.Run(2, comm =>
            {
                var (x, y) = Data();
                var model = Mlp(seed: 30);
                var opt = new Descent(0.1f).Setup(model);
                using var dp = new DataParallel(model, opt, comm);
                var verbose = new StringWriter();
                var callback = new StringWriter();
                var checkpoint = new Checkpoint(Path.Combine(root, "rank" + comm.Rank), monitor: "loss");
                var history = model.Fit(Losses.LogitCrossEntropy, new DataLoader(x, y, 8).Shard(comm), opt, new FitOptions
                {
                    Epochs = 2,
                    Verbose = 2,
                    Output = verbose,
                    Callbacks = [new ConsoleProgress(callback, live: false), checkpoint],
                });
                return (Verbose: verbose.ToString(), Callback: callback.ToString(), checkpoint.BestEpoch,
                    Files: Directory.Exists(checkpoint.Folder) ? Directory.GetFiles(checkpoint.Folder).Length : 0);
            });
            Assert.Contains("epoch 2/2", outputs[0].Verbose, StringComparison.Ordinal);
            Assert.Contains("epoch 2/2", outputs[0].Callback, StringComparison.Ordinal);
            Assert.Equal(3, outputs[0].Files);   // two epochs and the best
            Assert.Equal("", outputs[1].Verbose);
            Assert.Equal("", outputs[1].Callback);
            Assert.Equal(0, outputs[1].Files);
            Assert.Equal(outputs[0].BestEpoch, outputs[1].BestEpoch);   // the same decisions, from the same reduced numbers
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Ranks_start_from_rank_0s_parameters_and_buffers()
    {
        var ranks = ThreadGroup.Run(3, comm =>
        {
            var model = new Chain(new Dense(4, 5, seed: 50 + (ulong)comm.Rank), new BatchNorm(5), new Dense(5, 2, seed: 60 + (ulong)comm.Rank));
            using (model.Temporarily(LayerMode.Train)) model.Forward(Tensor.RandN(new Shape(8, 4), 70 + (ulong)comm.Rank));   // per-rank statistics
            var before = Snapshot(model);
            using var dp = new DataParallel(model, new Adam().Setup(model), comm);
            return (Before: before, After: Snapshot(model));
        });
        Assert.NotEqual(ranks[0].Before, ranks[1].Before);
        foreach (var rank in ranks) Assert.Equal(ranks[0].Before, rank.After);
    }

    [Fact]
    public void BatchNorm_keeps_per_rank_statistics_until_broadcast()
    {
        static Chain Model() => new(new Dense(4, 6, seed: 80), new BatchNorm(6), new Dense(6, 2, seed: 81));
        static (Tensor X, Tensor Y) Batch(int rank) => (Tensor.RandN(new Shape(8, 4), 90 + (ulong)rank), Tensor.RandN(new Shape(8, 2), 95 + (ulong)rank));
        var ranks = ThreadGroup.Run(2, comm =>
        {
            var model = Model();
            var opt = new Descent(0.1f).Setup(model);
            using var dp = new DataParallel(model, opt, comm);
            var (x, y) = Batch(comm.Rank);
            Trainer.TrainStep((a, b) => Losses.Mse(model.Forward(a), b), x, y, opt);
            var own = model.NamedBuffers().Select(b => b.Value.ToArray()).ToArray();
            dp.BroadcastBuffers();
            return (Own: own, Broadcast: model.NamedBuffers().Select(b => b.Value.ToArray()).ToArray());
        });
        for (int r = 0; r < 2; r++)
        {
            // Each rank's statistics are those of its own batch alone, as in one process given that batch.
            var single = Model();
            var (x, y) = Batch(r);
            Trainer.TrainStep((a, b) => Losses.Mse(single.Forward(a), b), x, y, new Descent(0.1f).Setup(single));
            Assert.Equal(single.NamedBuffers().Select(b => b.Value.ToArray()), ranks[r].Own);
        }
        Assert.NotEqual(ranks[0].Own, ranks[1].Own);
        Assert.Equal(ranks[0].Own, ranks[1].Broadcast);
    }

    /// <summary>A group of one whose collectives throw: a world size of 1 must not call them.</summary>
    private sealed class Alone : ICommunicator
    {
        public int Rank => 0;
        public int WorldSize => 1;
        public string Name => "alone";
        public void AllReduce(Tensor tensor, ReduceOperation operation) => throw new InvalidOperationException("AllReduce called");
        public void Broadcast(Tensor tensor, int root) => throw new InvalidOperationException("Broadcast called");
        public void Barrier() => throw new InvalidOperationException("Barrier called");
        public void Dispose()
        {
        }
    }

    [Fact]
    public void World_size_1_trains_as_without_it_and_communicates_nothing()
    {
        var (x, y) = Data();
        var model = Mlp(7);
        var opt = new Adam(1e-2f).Setup(model);
        using var comm = new Alone();
        using var dp = new DataParallel(model, opt, comm);
        var data = new DataLoader(x, y, 8, shuffle: true, seed: 2).Shard(comm);
        Epoch("train", model, data, opt);
        var evaluated = dp.Evaluate(Losses.LogitCrossEntropy, data, [Metric.Accuracy]);

        var plain = Mlp(7);
        var plainOpt = new Adam(1e-2f).Setup(plain);
        var plainData = new DataLoader(x, y, 8, shuffle: true, seed: 2);
        Epoch("train", plain, plainData, plainOpt);
        Assert.Equal(Snapshot(plain), Snapshot(model));
        Assert.Equal(plain.Evaluate(Losses.LogitCrossEntropy, plainData, [Metric.Accuracy]), evaluated);
        Assert.True(dp.IsMainProcess);
    }

    [Fact]
    public void Gradients_travel_in_buckets_last_parameters_first_one_all_reduce_each()
    {
        // 16·6 + 16 + 3·16 + 3 floats; a cap of 256 bytes (64 floats) splits them into [3·16 + 3] [16] [16·6].
        var ranks = ThreadGroup.Run(2, comm =>
        {
            var (x, y) = Data();
            var model = Mlp(11);
            var opt = new Descent(0.1f).Setup(model);
            using var dp = new DataParallel(model, opt, comm, bucketCapMB: 256f / (1 << 20));
            int before = comm.Calls;
            var data = new DataLoader(x, y, 8).Shard(comm);
            Epoch("loop", model, data, opt);
            return (Buckets: dp.Buckets.Select(b => string.Join(",", b)).ToArray(), Calls: comm.Calls - before, Steps: data.Count, Weights: Snapshot(model));
        });
        Assert.Equal(["3,2", "1", "0"], ranks[0].Buckets);
        Assert.Equal(3 * ranks[0].Steps, ranks[0].Calls);

        // The bucket layout changes the messages, not the numbers: averaging is element by element.
        var whole = ThreadGroup.Run(2, comm =>
        {
            var (x, y) = Data();
            var model = Mlp(11);
            var opt = new Descent(0.1f).Setup(model);
            using var dp = new DataParallel(model, opt, comm);
            Epoch("loop", model, new DataLoader(x, y, 8).Shard(comm), opt);
            return (Buckets: dp.Buckets.Count, Weights: Snapshot(model));
        });
        Assert.Equal(1, whole[0].Buckets);
        Assert.Equal(ranks[0].Weights, whole[0].Weights);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var model = Mlp(1);
        var opt = new Adam().Setup(model);
        using var comm = new Alone();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(model, opt, comm, bucketCapMB: 0));
        Assert.Equal("bucketCapMB", e.ParamName);
        var other = new Adam().Setup(Mlp(2));
        Assert.Contains("not a parameter of the model", Assert.Throws<ArgumentException>(() => new DataParallel(model, other, comm)).Message, StringComparison.Ordinal);
        using (new DataParallel(model, opt, comm))
            Assert.Contains("already belongs", Assert.Throws<InvalidOperationException>(() => new DataParallel(model, opt, comm)).Message, StringComparison.Ordinal);
        using var again = new DataParallel(model, opt, comm);   // disposing the first let the optimizer go
        Assert.Equal(1, again.WorldSize);
    }
}
