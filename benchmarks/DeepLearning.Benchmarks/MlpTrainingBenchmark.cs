using BenchmarkDotNet.Attributes;

namespace DeepLearning.Benchmarks;

/// <summary>
/// A training step of the 784-512-256-10 MLP at batch 128 (cross-entropy from logits) with SGD and with Adam:
/// <c>mlp_sgd</c> / <c>mlp_adam</c> of benchmarks/compare. Allocated bytes per step show the steady-state garbage.
/// </summary>
[MemoryDiagnoser]
public class MlpTrainingBenchmark
{
    private CompareCase _sgd = null!;
    private CompareCase _adam = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sgd = new MlpTraining("mlp_sgd", 128, 784, 512, 256, adam: false);
        _adam = new MlpTraining("mlp_adam", 128, 784, 512, 256, adam: true);
    }

    [Benchmark]
    public void Sgd() => _sgd.Run(1);

    [Benchmark]
    public void Adam() => _adam.Run(1);
}
