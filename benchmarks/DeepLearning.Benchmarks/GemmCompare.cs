using System.Diagnostics;
using System.Globalization;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Benchmarks;

/// <summary>
/// Console mode <c>gemm-compare [threads] [seconds-per-case]</c>: times every <see cref="GemmCase"/> with a Stopwatch
/// (best of many runs) and prints <c>name gflops</c> lines that benchmarks/compare/gemm.py sets beside NumPy's OpenBLAS.
/// </summary>
internal static class GemmCompare
{
    public static void Run(string[] args)
    {
        if (args.Length > 0 && int.Parse(args[0], CultureInfo.InvariantCulture) is var t and > 0) Sgemm.MaxThreads = t;
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0.5;
        var filter = args.Length > 2 ? args[2].Split(',') : null;
        // Block-size experiments without a rebuild: GEMM_KC / GEMM_MC / GEMM_NC override the packed path's blocking.
        if (Environment.GetEnvironmentVariable("GEMM_KC") is { } kc) DeepLearning.Backends.Cpu.Gemm.PackedGemm.KC = int.Parse(kc, CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("GEMM_MC") is { } mc) DeepLearning.Backends.Cpu.Gemm.PackedGemm.MC = int.Parse(mc, CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("GEMM_NC") is { } nc) DeepLearning.Backends.Cpu.Gemm.PackedGemm.NC = int.Parse(nc, CultureInfo.InvariantCulture);
        Console.WriteLine($"# KC={DeepLearning.Backends.Cpu.Gemm.PackedGemm.KC} MC={DeepLearning.Backends.Cpu.Gemm.PackedGemm.MC} NC={DeepLearning.Backends.Cpu.Gemm.PackedGemm.NC}");
        Console.WriteLine($"# threads={Sgemm.MaxThreads} vector512={System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        foreach (var g in GemmCase.All)
        {
            if (filter is not null && !filter.Contains(g.Name)) continue;
            var rng = new Random(1);
            var a = Fill(rng, g.M * g.K);
            var b = Fill(rng, g.K * g.N);
            var c = new float[g.M * g.N];
            int lda = g.TransA ? g.M : g.K, ldb = g.TransB ? g.K : g.N;
            void Once() => Sgemm.Multiply(g.TransA, g.TransB, g.M, g.N, g.K, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, g.N);
            Once();
            // Batch tiny cases so one timed sample is long enough for the Stopwatch.
            int reps = Math.Max(1, (int)(2e7 / g.Flops));
            double best = double.MaxValue;
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < seconds)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int r = 0; r < reps; r++) Once();
                best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds / reps);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{g.Name} {g.Flops / best / 1e9:F1} {best * 1e6:F2}"));
        }
    }

    private static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
