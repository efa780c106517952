using BenchmarkDotNet.Running;

namespace DeepLearning.Benchmarks;

internal static class Program
{
    private static void Main(string[] args)
    {
        // `gemm-compare [threads] [seconds] [cases]`: a quick Stopwatch table for benchmarks/compare/gemm.sh.
        if (args.Length > 0 && args[0] == "gemm-compare")
        {
            GemmCompare.Run(args[1..]);
            return;
        }
        // `compare list | CASE [seconds] [threads] | serve [threads]`: the PyTorch side-by-side of benchmarks/compare.
        if (args.Length > 1 && args[0] == "compare" && args[1] == "profile-cnn")
        {
            CnnProfile.Run(args[2..]);
            return;
        }
        if (args.Length > 0 && args[0] == "compare")
        {
            Compare.Run(args[1..]);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
