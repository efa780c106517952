using BenchmarkDotNet.Attributes;

namespace DeepLearning.Benchmarks;

/// <summary>
/// Value and gradient of <c>sum(relu(x*w + b))</c> w.r.t. w and b (10 elements) in a scope: <c>tiny_grad</c> of
/// benchmarks/compare. Allocated bytes per operation show the steady-state garbage.
/// </summary>
[MemoryDiagnoser]
public class TinyGradientBenchmark
{
    private CompareCase _case = null!;

    [GlobalSetup]
    public void Setup() => _case = new TinyGradient();

    [Benchmark]
    public void ValueAndGradient() => _case.Run(1);
}
