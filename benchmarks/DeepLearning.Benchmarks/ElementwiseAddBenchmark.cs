using BenchmarkDotNet.Attributes;

namespace DeepLearning.Benchmarks;

/// <summary>Element-wise <c>a + b</c> of two same-shape tensors: the broadcasting binary map at its simplest (one contiguous row).</summary>
[MemoryDiagnoser]
public class ElementwiseAddBenchmark
{
    private Tensor _a = null!;
    private Tensor _b = null!;

    [Params(1_000, 1_000_000)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _a = Tensor.Rand(new Shape(Length), seed: 1);
        _b = Tensor.Rand(new Shape(Length), seed: 2);
    }

    [Benchmark]
    public float Add()
    {
        // The scope returns the result's buffer to the pool, as a training step would.
        using var scope = TensorScope.Begin();
        var y = _a + _b;
        return y.Length;
    }
}
