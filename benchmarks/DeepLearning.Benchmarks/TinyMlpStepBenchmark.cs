using BenchmarkDotNet.Attributes;

namespace DeepLearning.Benchmarks;

/// <summary>
/// SGD training step of a 10-10-10 MLP (MSE) at batch 1: <c>tiny_mlp_step</c> of benchmarks/compare. Allocated
/// bytes per operation show the steady-state garbage.
/// </summary>
[MemoryDiagnoser]
public class TinyMlpStepBenchmark
{
    private CompareCase _case = null!;

    [GlobalSetup]
    public void Setup() => _case = new TinyMlpStep();

    [Benchmark]
    public void TrainStep() => _case.Run(1);
}
