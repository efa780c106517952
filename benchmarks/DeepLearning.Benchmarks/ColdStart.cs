using System.Diagnostics;
using System.Globalization;
using DeepLearning.Backends.Cpu;
using static DeepLearning.Activations;

namespace DeepLearning.Benchmarks;

/// <summary>
/// <c>compare cold [epochs=5] [threads=2]</c>: DESIGN.md §1's program as a user's first run, in this fresh process —
/// MNIST 784-128-10 with Dropout(0.2), Adam(1e-3), batch 128 shuffled DataLoader, LogitCrossEntropy — and one result
/// line <c>cold start_s load_s train_s train_cpu_s accuracy epoch_s…</c>: runtime start to <c>Main</c>, loading MNIST, the
/// training loop (the clock starts after the data is loaded, as on the PyTorch side) in wall and in CPU seconds
/// (all threads, the JIT's included), the test accuracy as a sanity
/// check, then each epoch. benchmarks/compare/torch_cases.py runs it in alternation with the same program in PyTorch.
/// </summary>
internal static class ColdStart
{
    public static void Run(string[] args)
    {
        double start = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
        int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        if (args.Length > 1) Sgemm.MaxThreads = int.Parse(args[1], CultureInfo.InvariantCulture);

        long t0 = Stopwatch.GetTimestamp();
        var (train, test) = Mnist.Load(MnistEpoch.Directory());
        double load = Stopwatch.GetElapsedTime(t0).TotalSeconds;

        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var jit0 = System.Runtime.JitInfo.GetCompilationTime();
        long methods0 = System.Runtime.JitInfo.GetCompiledMethodCount();
        long t1 = Stopwatch.GetTimestamp();
        var model = new Chain(
            new Dense(784, 128, Relu, seed: 1),
            new Dropout(0.2f, seed: 2),
            new Dense(128, 10, seed: 3));
        var data = new DataLoader(train.Images, Tensor.OneHot(train.Labels, 10), batchSize: 128, shuffle: true, seed: 1);
        var opt = new Adam(1e-3f).Setup(model);
        Tensor Loss(Tensor x, Tensor y) => Losses.LogitCrossEntropy(model.Forward(x), y);
        var epochTimes = new double[epochs];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long e0 = Stopwatch.GetTimestamp();
            Trainer.Train(Loss, data, opt);
            epochTimes[epoch] = Stopwatch.GetElapsedTime(e0).TotalSeconds;
        }
        double trainSeconds = Stopwatch.GetElapsedTime(t1).TotalSeconds;
        process.Refresh();
        double trainCpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        double jit = (System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalSeconds;
        long methods = System.Runtime.JitInfo.GetCompiledMethodCount() - methods0;

        float accuracy;
        using (Autodiff.NoGrad()) accuracy = Metrics.Accuracy(model.Forward(test.Images), test.Labels);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# jit while training: {methods} methods compiled in {jit:F3} s (all threads){Environment.NewLine}cold {start:F4} {load:F4} {trainSeconds:F4} {trainCpu:F4} {accuracy:F4} {string.Join(' ', epochTimes.Select(t => t.ToString("F4", CultureInfo.InvariantCulture)))}"));
    }
}
