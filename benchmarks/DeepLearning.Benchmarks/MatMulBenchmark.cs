using BenchmarkDotNet.Attributes;

namespace DeepLearning.Benchmarks;

/// <summary>A 256×256 by 256×256 matrix product (2·256³ ≈ 33.6 MFLOP per call).</summary>
[MemoryDiagnoser]
public class MatMulBenchmark
{
    private Tensor _a = null!;
    private Tensor _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        _a = Tensor.RandN(new Shape(256, 256), seed: 1);
        _b = Tensor.RandN(new Shape(256, 256), seed: 2);
    }

    [Benchmark]
    public float MatMul256()
    {
        using var scope = TensorScope.Begin();
        return _a.MatMul(_b).Length;
    }
}
