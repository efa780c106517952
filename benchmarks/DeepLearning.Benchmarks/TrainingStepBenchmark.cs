using BenchmarkDotNet.Attributes;

namespace DeepLearning.Benchmarks;

/// <summary>
/// Forward and backward of a small dense-layer loss, <c>mean((relu(x·W + b) − y)²)</c>, with an SGD update, inside a
/// scope: the per-step overhead of the tape, the scope and the small kernels (the same expression as the memory test).
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmark
{
    private Tensor _x = null!;
    private Tensor _y = null!;
    private Parameter _w = null!;
    private Parameter _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        _x = Tensor.RandN(new Shape(32, 16), seed: 1);
        _y = Tensor.RandN(new Shape(32, 8), seed: 2);
        _w = new Parameter(Tensor.Normal(new Shape(16, 8), 0, 0.25f, seed: 3), "W");
        _b = new Parameter(Tensor.Zeros(8), "b");
    }

    [Benchmark]
    public float ForwardBackward()
    {
        using var scope = TensorScope.Begin();
        var (loss, grads) = Autodiff.ValueAndGradient(() => ((_x.MatMul(_w) + _b).Relu() - _y).Square().Mean(), [_w, _b]);
        using (Autodiff.NoGrad())
        {
            _w.Assign(_w - grads[_w] * 0.01f);
            _b.Assign(_b - grads[_b] * 0.01f);
        }
        return loss.Item();
    }
}
