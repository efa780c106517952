using BenchmarkDotNet.Running;

namespace DeepLearning.Gpu.Benchmarks;

/// <summary>
/// <c>DeepLearning.Gpu.Benchmarks [--devices cpu,cuda:0,…] [BenchmarkDotNet options]</c>: every benchmark runs in this
/// process (BenchmarkDotNet's in-process toolchain: a GPU machine without the .NET SDK cannot build the usual child
/// projects), once per device.
/// </summary>
public static class Program
{
    /// <summary>Chooses the devices, then hands the rest of the arguments to BenchmarkDotNet.</summary>
    public static int Main(string[] args)
    {
        var rest = new List<string>();
        string? devices = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--devices" && i + 1 < args.Length) devices = args[++i];
            else rest.Add(args[i]);
        }
        var chosen = BenchDevices.Choose(devices);
        Console.WriteLine($"devices: {string.Join(", ", chosen)}");
        if (chosen.Count == 0) return 2;
        if (!rest.Contains("--inProcess") && !rest.Contains("-i")) rest.Add("--inProcess");
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest]);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
