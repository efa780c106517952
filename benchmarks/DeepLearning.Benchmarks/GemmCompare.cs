using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DeepLearning.Backends.Cpu;
using DeepLearning.Backends.Cpu.Gemm;

namespace DeepLearning.Benchmarks;

/// <summary>
/// Console mode <c>gemm-compare [threads] [seconds-per-case] [case,case,...]</c>: times every <see cref="GemmCase"/>
/// with a Stopwatch (best of many runs) and prints <c>name gflops microseconds</c> lines that
/// benchmarks/compare/gemm.py sets beside NumPy's OpenBLAS. With GEMM_OPENBLAS=path/to/libopenblas.so it also calls
/// that library's cblas_sgemm, alternating with ours sample by sample, so both see the same machine load (the
/// honest comparison on a shared machine) and adds its GFLOP/s and the ratio to each line.
/// </summary>
internal static unsafe class GemmCompare
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    public static void Run(string[] args)
    {
        if (args.Length > 0 && int.Parse(args[0], CultureInfo.InvariantCulture) is var t and > 0) Sgemm.MaxThreads = t;
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0.5;
        var filter = args.Length > 2 ? args[2].Split(',') : null;
        // Block-size experiments without a rebuild: GEMM_KC / GEMM_MC / GEMM_NC override the packed path's blocking.
        if (Environment.GetEnvironmentVariable("GEMM_KC") is { } kc) PackedGemm.KC = int.Parse(kc, CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("GEMM_MC") is { } mc) PackedGemm.MC = int.Parse(mc, CultureInfo.InvariantCulture);
        if (Environment.GetEnvironmentVariable("GEMM_NC") is { } nc) PackedGemm.NC = int.Parse(nc, CultureInfo.InvariantCulture);
        delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> blas = null;
        if (Environment.GetEnvironmentVariable("GEMM_OPENBLAS") is { Length: > 0 } lib)
            blas = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
                NativeLibrary.GetExport(NativeLibrary.Load(lib), "cblas_sgemm");
        Console.WriteLine($"# threads={Sgemm.MaxThreads} vector512={PackedGemm.WideByDefault} KC={PackedGemm.KC} MC={PackedGemm.MC} NC={PackedGemm.NC}"
            + (blas is null ? "" : " paired with cblas_sgemm from " + Environment.GetEnvironmentVariable("GEMM_OPENBLAS")));
        foreach (var g in GemmCase.All)
        {
            if (filter is not null && !filter.Contains(g.Name)) continue;
            var rng = new Random(1);
            var a = Fill(rng, g.M * g.K);
            var b = Fill(rng, g.K * g.N);
            var c = new float[g.M * g.N];
            int lda = g.TransA ? g.M : g.K, ldb = g.TransB ? g.K : g.N;
            void Ours() => Sgemm.Multiply(g.TransA, g.TransB, g.M, g.N, g.K, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, g.N);
            void Theirs()
            {
                fixed (float* pa = a, pb = b, pc = c)
                    blas(RowMajor, g.TransA ? Trans : NoTrans, g.TransB ? Trans : NoTrans, g.M, g.N, g.K, 1f, pa, lda, pb, ldb, 0f, pc, g.N);
            }
            Ours();
            if (blas is not null) Theirs();
            // Batch tiny cases so one timed sample is long enough for the Stopwatch.
            int reps = Math.Max(1, (int)(2e7 / g.Flops));
            double best = double.MaxValue, bestBlas = double.MaxValue;
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < seconds)
            {
                best = Math.Min(best, Time(Ours, reps));
                if (blas is not null) bestBlas = Math.Min(bestBlas, Time(Theirs, reps));
            }
            var line = string.Create(CultureInfo.InvariantCulture, $"{g.Name} {g.Flops / best / 1e9:F1} {best * 1e6:F2}");
            if (blas is not null)
                line += string.Create(CultureInfo.InvariantCulture, $" openblas {g.Flops / bestBlas / 1e9:F1} ratio {bestBlas / best:F2}");
            Console.WriteLine(line);
        }
    }

    private static double Time(Action action, int reps)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int r = 0; r < reps; r++) action();
        return Stopwatch.GetElapsedTime(t0).TotalSeconds / reps;
    }

    private static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
