using System.Diagnostics;
using System.Globalization;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Benchmarks;

/// <summary>
/// Console mode for benchmarks/compare/torch_cases.py:
/// <list type="bullet">
/// <item><c>compare list</c>: the case names, one a line.</item>
/// <item><c>compare CASE [seconds] [threads]</c>: measures one case once and prints its result line.</item>
/// <item><c>compare serve [threads]</c>: reads <c>CASE seconds</c> lines from stdin and answers each with a result
/// line, so the driver can alternate with PyTorch case by case while this process (and its JIT state) stays warm.</item>
/// </list>
/// A result line is <c>CASE median_s best_s iterations bytes_per_iteration</c>: seconds per iteration, the median and
/// the best over the timed chunks, and the bytes the GC saw allocated (all threads) per iteration.
/// </summary>
internal static class Compare
{
    // A timed chunk lasts at least this long, so the Stopwatch resolution and the loop cost vanish.
    private const double ChunkSeconds = 0.02;

    // Tiered JIT (default settings: TieredCompilation and TieredPGO on) recompiles a method at tier 1 after 30 calls
    // and a 100 ms back-off, and hot loops go through OSR; a full second of running before the first timed chunk
    // covers both, and the first measurement of a case in `serve` pays it once.
    private const double WarmupSeconds = 1.0;

    private static readonly Dictionary<string, (CompareCase Case, double PerIteration)> Warm = [];

    public static void Run(string[] args)
    {
        if (args.Length == 0 || args[0] == "list")
        {
            foreach (var n in CompareCase.Names) Console.WriteLine(n);
            return;
        }
        if (args[0] == "cold")
        {
            ColdStart.Run(args[1..]);
            return;
        }
        if (args[0] == "serve")
        {
            SetThreads(args, 1);
            Console.WriteLine($"# ready threads={Sgemm.MaxThreads} dotnet={Environment.Version} tiered-pgo={Environment.GetEnvironmentVariable("DOTNET_TieredPGO") ?? "default(on)"}");
            while (Console.ReadLine() is { } line)
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0) continue;
                if (parts[0] == "quit") break;
                Console.WriteLine(Measure(parts[0], parts.Length > 1 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : 1.0));
            }
            return;
        }
        SetThreads(args, 2);
        Console.WriteLine(Measure(args[0], args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0));
    }

    private static void SetThreads(string[] args, int index)
    {
        if (args.Length > index && int.Parse(args[index], CultureInfo.InvariantCulture) is var t and > 0) Sgemm.MaxThreads = t;
    }

    private static string Measure(string name, double seconds)
    {
        if (!Warm.TryGetValue(name, out var entry))
        {
            var c = CompareCase.Create(name);
            var sw = Stopwatch.StartNew();
            long done = 0;
            for (int n = 1; sw.Elapsed.TotalSeconds < WarmupSeconds; n = Math.Min(n * 2, 1 << 20))
            {
                c.Run(n);
                done += n;
            }
            entry = (c, sw.Elapsed.TotalSeconds / done);
            Warm[name] = entry;
        }
        int reps = (int)Math.Clamp(ChunkSeconds / entry.PerIteration, 1, 1 << 24);
        var times = new List<double>();
        long iterations = 0;
        long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
        var total = Stopwatch.StartNew();
        while (times.Count < 3 || total.Elapsed.TotalSeconds < seconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            entry.Case.Run(reps);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds / reps);
            iterations += reps;
        }
        double bytes = (GC.GetTotalAllocatedBytes(precise: true) - bytes0) / (double)iterations;
        times.Sort();
        Warm[name] = (entry.Case, times[times.Count / 2]);
        return string.Create(CultureInfo.InvariantCulture,
            $"{name} {times[times.Count / 2]:E4} {times[0]:E4} {iterations} {bytes:F1}");
    }
}
