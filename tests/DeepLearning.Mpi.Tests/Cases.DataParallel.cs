using System.Globalization;
using DeepLearning;
using DeepLearning.Distributed;
using DeepLearning.Tests.Distributed;
using static DeepLearning.Activations;

internal static partial class Cases
{
    private const int DpSamples = 96, DpFeatures = 12, DpClasses = 4, DpBatch = 8, DpEpochs = 2;

    /// <summary>
    /// DataParallel over MPI: different models are refused on every rank naming the first difference; training with
    /// Adam on the ranks' shards equals training one process on the concatenated batches (each rank trains that
    /// reference itself) within 1e-6 relative, with bit-identical weights on all ranks; <c>Fit</c> with validation logs
    /// the same history on every rank.
    /// </summary>
    private static int DataParallelTraining(string dir)
    {
        using var comm = Communicator.FromEnvironment(TimeSpan.FromSeconds(60));
        int rank = comm.Rank, size = comm.WorldSize;

        // Rank 1 builds a narrower second layer: the first difference is entry 2, the second layer's weight.
        var odd = rank == 1 ? new Chain(new Dense(DpFeatures, 32, Relu), new Dense(32, 15, Relu), new Dense(15, DpClasses)) : Mlp(1);
        try
        {
            new DataParallel(odd, new Adam().Setup(odd), comm).Dispose();
            Check(comm, false, "different-models", "no exception");
        }
        catch (InvalidOperationException e)
        {
            // To a file for the xunit side: a long line from two ranks can interleave in mpirun's output.
            File.WriteAllText(Path.Combine(dir, $"message.{rank}"), e.Message);
            Check(comm, e.Message.Contains("at entry 2 of the parameters then buffers", StringComparison.Ordinal), "different-models", e.Message);
        }

        // Every rank makes the whole data set from one seed, as every process would load the same files.
        var (x, y) = DpData();
        float[][] Train(Layer model, Optimizer opt, DataLoader data)
        {
            for (int e = 0; e < DpEpochs; e++) Trainer.Train((a, b) => Losses.LogitCrossEntropy(model.Forward(a), b), data, opt);
            return Snapshot(model);
        }

        // Different starting weights on each rank: DataParallel makes them rank 0's.
        var model = Mlp(10 + 100 * (ulong)rank);
        var opt = new Adam(1e-2f).Setup(model);
        float[][] ranks;
        using (new DataParallel(model, opt, comm))
            ranks = Train(model, opt, new DataLoader(x, y, DpBatch, shuffle: true, seed: 3).Shard(comm));
        var reference = Mlp(10);
        var single = Train(reference, new Adam(1e-2f).Setup(reference), new DataLoader(x, y, size * DpBatch, shuffle: true, seed: 3));
        double worst = ranks.Zip(single, Tolerance.RelativeDifference).Max();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rank {rank}: {DpEpochs * DpSamples / (size * DpBatch)} steps, largest relative difference from one process {worst:E2}"));
        Check(comm, worst <= 1e-6, "dp-equals-one-process", $"relative difference {worst}");
        Check(comm, Tolerance.RelativeDifference(ranks[0], Snapshot(Mlp(10))[0]) > 1e-3, "dp-trained", "the weights barely moved");
        var mine = ranks.SelectMany(t => t).ToArray();
        var rootWeights = (float[])mine.Clone();
        using (var t = Tensor.FromArray(rootWeights))
        {
            comm.Broadcast(t, 0);
            t.CopyTo(rootWeights);
        }
        Check(comm, mine.AsSpan().SequenceEqual(rootWeights), "dp-ranks-identical", "this rank's weights differ from rank 0's");

        // Fit with validation: the same history, to the bit, on every rank, and one process's numbers.
        FitOptions Options(DataLoader validation) => new() { Epochs = DpEpochs, ValidationData = validation, Metrics = [Metric.Accuracy] };
        var fitModel = Mlp(20 + (ulong)rank);
        var fitOpt = new Adam(1e-2f).Setup(fitModel);
        History history;
        using (new DataParallel(fitModel, fitOpt, comm))
            history = fitModel.Fit(Losses.LogitCrossEntropy, new DataLoader(x, y, DpBatch, shuffle: true, seed: 5).Shard(comm), fitOpt,
                Options(new DataLoader(x.Slice(0, 48), y.Slice(0, 48), 8).Shard(comm)));
        var fitReference = Mlp(20);
        var expected = fitReference.Fit(Losses.LogitCrossEntropy, new DataLoader(x, y, size * DpBatch, shuffle: true, seed: 5),
            new Adam(1e-2f).Setup(fitReference), Options(new DataLoader(x.Slice(0, 48), y.Slice(0, 48), 8)));
        string text = string.Join(" ", history.Keys.Select(k => $"{k} {string.Join(",", history[k].Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}"));
        File.WriteAllText(Path.Combine(dir, $"history.{rank}"), text);
        comm.Barrier();
        Check(comm, File.ReadAllText(Path.Combine(dir, "history.0")) == text, "fit-same-history", "differs from rank 0's");
        var far = expected.Keys.SelectMany(k => Enumerable.Range(0, expected.Count).Select(e => (Key: k, Epoch: e)))
            .FirstOrDefault(c => !history.Contains(c.Key) || Math.Abs(history[c.Key][c.Epoch] - expected[c.Key][c.Epoch]) > 1e-5 * Math.Max(1, Math.Abs(expected[c.Key][c.Epoch])));
        Check(comm, history.Keys.SequenceEqual(["loss", "accuracy", "val_loss", "val_accuracy", "lr"]) && far.Key is null, "fit-equals-one-process",
            far.Key is null ? string.Join(",", history.Keys) : $"{far.Key} epoch {far.Epoch}: {(history.Contains(far.Key) ? history[far.Key][far.Epoch] : double.NaN)} here, {expected[far.Key][far.Epoch]} in one process");
        Console.WriteLine($"rank {rank}: done, {_failures} failures");
        return _failures;
    }

    private static Chain Mlp(ulong seed) =>
        new(new Dense(DpFeatures, 32, Relu, seed: seed), new Dense(32, 16, Relu, seed: seed + 1), new Dense(16, DpClasses, seed: seed + 2));

    private static (Tensor X, Tensor Y) DpData()
    {
        var x = Tensor.RandN(new Shape(DpSamples, DpFeatures), 41);
        var xs = x.ToArray();
        var labels = Enumerable.Range(0, DpSamples).Select(i => (int)(Math.Abs(xs[i * DpFeatures] + 2 * xs[i * DpFeatures + 1]) * 2) % DpClasses).ToArray();
        return (x, Tensor.OneHot(labels, DpClasses));
    }

    private static float[][] Snapshot(Layer model) =>
        [.. model.Parameters().Select(p => p.ToArray()), .. model.NamedBuffers().Select(b => b.Value.ToArray())];
}
