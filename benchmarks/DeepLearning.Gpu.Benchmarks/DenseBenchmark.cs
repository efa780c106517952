using BenchmarkDotNet.Attributes;
using static DeepLearning.Activations;

namespace DeepLearning.Gpu.Benchmarks;

/// <summary>
/// One Dense 784→512 ReLU layer forward and backward through the tape, as inside a training step: the gradient of the
/// sum of its output w.r.t. weight and bias (<see cref="Autodiff.ValueAndGradient"/> in a <see cref="TensorScope"/>),
/// the device waited for. Isolates the layer's share of the MLP step: bias and activation fused into the product's
/// epilogue forward, the activation's backward, the two products and the bias reduction backward.
/// </summary>
[Config(typeof(BenchConfig))]
public class DenseBenchmark
{
    private DeepLearning.Device _device = DeepLearning.Device.Cpu;
    private Dense _dense = null!;
    private Tensor _x = null!;

    /// <summary>The device (see <see cref="BenchDevices"/>).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>Rows of the input.</summary>
    [Params(128, 1024)]
    public int Batch { get; set; }

    /// <summary>The devices chosen at start-up.</summary>
    public static IEnumerable<string> Devices => BenchDevices.Names;

    /// <summary>Layer and input on the device.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevices.Open(Device);
        _dense = new Dense(784, 512, Relu, seed: 1).To(_device);
        _x = Tensor.Rand(new Shape(Batch, 784), 2, _device);
    }

    /// <summary>Forward, backward, every temporary released, the device waited for.</summary>
    [Benchmark]
    public void ForwardBackward()
    {
        using (TensorScope.Begin()) Autodiff.ValueAndGradient(() => _dense.Forward(_x).Sum(), _dense.Parameters());
        _device.Backend.Synchronize();
    }

    /// <summary>Releases layer and input.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _dense.Dispose();
        _x.Dispose();
    }
}
