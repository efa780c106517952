using BenchmarkDotNet.Attributes;
using static DeepLearning.Activations;

namespace DeepLearning.Gpu.Benchmarks;

/// <summary>
/// One training step (<see cref="Trainer.TrainStep"/> with Adam, the loss read back) of samples/MnistCnn's network
/// (conv 3×3 32 → ReLU → max-pool 2 → conv 3×3 64 → ReLU → max-pool 2 → Dense 1600→10) at batch 128 on a fixed random
/// batch already on the device.
/// </summary>
[Config(typeof(BenchConfig))]
public class CnnStepBenchmark
{
    private Layer _model = null!;
    private Optimizer _opt = null!;
    private Tensor _x = null!, _y = null!;

    /// <summary>The device (see <see cref="BenchDevices"/>).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>The devices chosen at start-up.</summary>
    public static IEnumerable<string> Devices => BenchDevices.Names;

    /// <summary>Model, optimizer and batch on the device.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var device = BenchDevices.Open(Device);
        _model = new Chain(
            new Conv2D(1, 32, 3, Relu, init: Init.HeUniform, seed: 1),
            new MaxPool2D(2),
            new Conv2D(32, 64, 3, Relu, init: Init.HeUniform, seed: 2),
            new MaxPool2D(2),
            new Flatten(),
            new Dense(1600, 10, seed: 3)).To(device);
        _opt = new Adam(2e-3f).Setup(_model);
        (_x, _y) = BenchData.Batch(new Shape(128, 1, 28, 28), device, 5);
    }

    /// <summary>samples/MnistCnn's network, batch 128, Adam.</summary>
    [Benchmark]
    public float Cnn() => Trainer.TrainStep((x, y) => Losses.LogitCrossEntropy(_model.Forward(x), y), _x, _y, _opt);

    /// <summary>Releases model and batch.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
