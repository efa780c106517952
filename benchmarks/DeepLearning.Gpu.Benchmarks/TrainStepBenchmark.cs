using BenchmarkDotNet.Attributes;
using static DeepLearning.Activations;

namespace DeepLearning.Gpu.Benchmarks;

/// <summary>
/// One training step (<see cref="Trainer.TrainStep"/>: forward, backward, Adam update, the loss read back, which waits
/// for the device) on a fixed random batch already on the device: the MLP 784-512-256-10 at batch 256, and the CNN of
/// samples/MnistCnn (conv 3×3 32 → ReLU → max-pool 2 → conv 3×3 64 → ReLU → max-pool 2 → Dense 1600→10) at batch 128.
/// </summary>
[Config(typeof(BenchConfig))]
public class TrainStepBenchmark
{
    private Layer _mlp = null!, _cnn = null!;
    private Optimizer _mlpOpt = null!, _cnnOpt = null!;
    private Tensor _mlpX = null!, _mlpY = null!, _cnnX = null!, _cnnY = null!;

    /// <summary>The device (see <see cref="BenchDevices"/>).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>The devices chosen at start-up.</summary>
    public static IEnumerable<string> Devices => BenchDevices.Names;

    /// <summary>Both models, optimizers and batches on the device.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var device = BenchDevices.Open(Device);
        _mlp = new Chain(new Dense(784, 512, Relu, seed: 1), new Dense(512, 256, Relu, seed: 2), new Dense(256, 10, seed: 3)).To(device);
        _mlpOpt = new Adam(1e-3f).Setup(_mlp);
        (_mlpX, _mlpY) = Batch(new Shape(256, 784), device, 4);
        _cnn = new Chain(
            new Conv2D(1, 32, 3, Relu, init: Init.HeUniform, seed: 1),
            new MaxPool2D(2),
            new Conv2D(32, 64, 3, Relu, init: Init.HeUniform, seed: 2),
            new MaxPool2D(2),
            new Flatten(),
            new Dense(1600, 10, seed: 3)).To(device);
        _cnnOpt = new Adam(2e-3f).Setup(_cnn);
        (_cnnX, _cnnY) = Batch(new Shape(128, 1, 28, 28), device, 5);
    }

    private static (Tensor X, Tensor Y) Batch(Shape shape, Device device, int seed)
    {
        var rng = new Random(seed);
        var labels = Enumerable.Range(0, shape[0]).Select(_ => rng.Next(10)).ToArray();
        return (Tensor.Rand(shape, (ulong)seed, device), Tensor.OneHot(labels, 10, device));
    }

    /// <summary>MLP 784-512-256-10, batch 256, Adam.</summary>
    [Benchmark]
    public float Mlp() => Trainer.TrainStep((x, y) => Losses.LogitCrossEntropy(_mlp.Forward(x), y), _mlpX, _mlpY, _mlpOpt);

    /// <summary>samples/MnistCnn's network, batch 128, Adam.</summary>
    [Benchmark]
    public float Cnn() => Trainer.TrainStep((x, y) => Losses.LogitCrossEntropy(_cnn.Forward(x), y), _cnnX, _cnnY, _cnnOpt);

    /// <summary>Releases models and batches.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _mlp.Dispose();
        _cnn.Dispose();
        foreach (var t in new[] { _mlpX, _mlpY, _cnnX, _cnnY }) t.Dispose();
    }
}
