using System.Diagnostics;
using System.Globalization;
using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Benchmarks;

/// <summary>
/// <c>compare profile-cnn [seconds] [threads] [name filter, or step for the step alone]</c>: the backend primitives of one cnn_sgd step (samples/MnistCnn's
/// network at batch 128), each timed alone on random inputs, in step order, with the whole step beside them; shows
/// where a step's time goes. Stopwatch medians over repeated calls; on a shared machine read the shares, not the
/// absolute times.
/// </summary>
internal static class CnnProfile
{
    public static void Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1.0;
        if (args.Length > 1) Sgemm.MaxThreads = int.Parse(args[1], CultureInfo.InvariantCulture);
        var be = CpuBackend.Instance;
        const int n = 128;
        var g1 = new ConvGeometry(n, 1, 28, 28, 32, 1, 3, 3, 1, 1, 0, 0, 1, 1, 26, 26);
        var p1 = new ConvGeometry(n, 32, 26, 26, 32, 32, 2, 2, 2, 2, 0, 0, 1, 1, 13, 13);
        var g2 = new ConvGeometry(n, 32, 13, 13, 64, 1, 3, 3, 1, 1, 0, 0, 1, 1, 11, 11);
        var p2 = new ConvGeometry(n, 64, 11, 11, 64, 64, 2, 2, 2, 2, 0, 0, 1, 1, 5, 5);
        DeviceBuffer Rand(int length, ulong seed)
        {
            var b = be.Allocate(length);
            be.RandomUniform(b, 0, length, seed, 0, -1f, 1f);
            return b;
        }
        var x = Rand(n * 784, 1);
        var w1 = Rand(32 * 9, 2); var b1 = Rand(32, 3);
        var y1 = Rand(n * 32 * 676, 4); var dy1 = Rand(n * 32 * 676, 5);
        var q1 = Rand(n * 32 * 169, 6); var i1 = be.Allocate(n * 32 * 169);
        var w2 = Rand(64 * 288, 7); var b2 = Rand(64, 8);
        var y2 = Rand(n * 64 * 121, 9); var dy2 = Rand(n * 64 * 121, 10);
        var q2 = Rand(n * 1600, 11); var i2 = be.Allocate(n * 1600);
        var wd = Rand(10 * 1600, 12); var bd = Rand(10, 13); var z = Rand(n * 10, 14); var dz = Rand(n * 10, 15);
        var dw1 = be.Allocate(32 * 9); var db1 = be.Allocate(32); var dq1 = Rand(n * 32 * 169, 16);
        var dw2 = be.Allocate(64 * 288); var db2 = be.Allocate(64); var dq2 = Rand(n * 1600, 17);
        var dwd = be.Allocate(16000); var g2b = be.Allocate(n * 64 * 121);
        be.MaxPool2D(p1, y1, 0, q1, 0, i1, 0);
        be.MaxPool2D(p2, y2, 0, q2, 0, i2, 0);
        var rows = new (string Name, Action Run)[]
        {
            ("conv1 fwd (+bias, relu)", () => be.Conv2D(g1, x, 0, w1, 0, b1, 0, true, y1, 0)),
            ("pool1 fwd", () => be.MaxPool2D(p1, y1, 0, q1, 0, i1, 0)),
            ("conv2 fwd (+bias, relu)", () => be.Conv2D(g2, q1, 0, w2, 0, b2, 0, true, y2, 0)),
            ("pool2 fwd", () => be.MaxPool2D(p2, y2, 0, q2, 0, i2, 0)),
            ("dense fwd", () => be.GemmBiasActivation(false, true, n, 10, 1600, q2, 0, 1600, wd, 0, 1600, bd, 0, UnaryOp.Identity, 0f, z, 0)),
            ("dense dW", () => be.Gemm(true, false, 10, 1600, n, 1f, dz, 0, 10, 0, q2, 0, 1600, 0, 0f, dwd, 0, 1600, 0, 1)),
            ("dense dX", () => be.Gemm(false, false, n, 1600, 10, 1f, dz, 0, 10, 0, wd, 0, 1600, 0, 0f, dq2, 0, 1600, 0, 1)),
            ("pool2 bwd", () => be.MaxPool2DBackward(p2, dq2, 0, i2, 0, dy2, 0)),
            ("conv2 bwd (relu, dx, dW, db)", () => be.Conv2DBackward(g2, q1, 0, w2, 0, y2, 0, dy2, 0, dq1, 0, dw2, 0, db2, 0)),
            ("  of which dx alone", () => be.Conv2DBackward(g2, q1, 0, w2, 0, g2b, 0, dq1, 0, null, 0, null, 0)),
            ("  of which dW, db alone", () => be.Conv2DBackward(g2, q1, 0, w2, 0, g2b, 0, null, 0, dw2, 0, db2, 0)),
            ("pool1 bwd", () => be.MaxPool2DBackward(p1, dq1, 0, i1, 0, dy1, 0)),
            ("conv1 bwd (relu, dW, db)", () => be.Conv2DBackward(g1, x, 0, w1, 0, y1, 0, dy1, 0, null, 0, dw1, 0, db1, 0)),
        };
        var step = new CnnTraining();
        Console.WriteLine($"# cnn_sgd primitives, threads={Sgemm.MaxThreads}, {seconds}s each; median wall ms, mean process CPU ms and fastest wall ms per call");
        Console.WriteLine($"{"primitive",-26} {"wall ms",8} {"cpu ms",8} {"best ms",8}");
        double sumWall = 0, sumCpu = 0, sumBest = 0;
        string? only = args.Length > 2 ? args[2] : null;
        foreach (var (name, run) in rows)
        {
            if (only is not null && !name.Contains(only, StringComparison.Ordinal)) continue;
            var (wall, cpu, best) = Time(run, seconds);
            if (!name.StartsWith(' '))
            {
                sumWall += wall * 1e3;
                sumCpu += cpu * 1e3;
                sumBest += best * 1e3;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-26} {wall * 1e3,8:F3} {cpu * 1e3,8:F3} {best * 1e3,8:F3}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"sum of primitives",-26} {sumWall,8:F3} {sumCpu,8:F3} {sumBest,8:F3}"));
        if (only is not null && only != "step") return;
        var (w, c, b) = Time(() => step.Run(1), seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"whole step (TrainStep)",-26} {w * 1e3,8:F3} {c * 1e3,8:F3} {b * 1e3,8:F3}"));
    }

    // (median wall seconds per call, process CPU seconds per call, fastest call): on a loaded machine the fastest call is
    // the closest to the uncontended cost (a VM's CPU time counts stolen time too).
    private static (double Wall, double Cpu, double Best) Time(Action run, double seconds)
    {
        for (int i = 0; i < 20; i++) run();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        while (times.Count < 5 || total.Elapsed.TotalSeconds < seconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / times.Count;
        times.Sort();
        return (times[times.Count / 2], cpu, times[0]);
    }
}
