using BenchmarkDotNet.Attributes;

namespace DeepLearning.Benchmarks;

/// <summary>
/// <c>a + b</c> of two 10-element tensors, the result disposed at once: <c>tiny_add</c> of benchmarks/compare.
/// Allocated bytes per operation show the steady-state garbage.
/// </summary>
[MemoryDiagnoser]
public class TinyAddBenchmark
{
    private CompareCase _case = null!;

    [GlobalSetup]
    public void Setup() => _case = new TinyAdd();

    [Benchmark]
    public void Add() => _case.Run(1);
}
