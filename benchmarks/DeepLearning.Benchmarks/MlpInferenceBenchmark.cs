using BenchmarkDotNet.Attributes;

namespace DeepLearning.Benchmarks;

/// <summary>
/// Inference of the 784-512-256-10 MLP at batch 1024 (no gradient, in a scope): <c>mlp_infer</c> of
/// benchmarks/compare. Allocated bytes per operation show the steady-state garbage.
/// </summary>
[MemoryDiagnoser]
public class MlpInferenceBenchmark
{
    private CompareCase _case = null!;

    [GlobalSetup]
    public void Setup() => _case = new MlpInference("mlp_infer", 1024);

    [Benchmark]
    public void Forward() => _case.Run(1);
}
