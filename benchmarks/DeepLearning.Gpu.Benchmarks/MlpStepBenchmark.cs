using BenchmarkDotNet.Attributes;
using static DeepLearning.Activations;

namespace DeepLearning.Gpu.Benchmarks;

/// <summary>
/// One training step (<see cref="Trainer.TrainStep"/>: forward, backward, Adam update, the loss read back, which waits
/// for the device) of the MLP 784-512-256-10 on a fixed random batch already on the device, at batch 128 (where a GPU
/// step is bound by kernel launches) and 1024 (where the products start to count).
/// </summary>
[Config(typeof(BenchConfig))]
public class MlpStepBenchmark
{
    private Layer _model = null!;
    private Optimizer _opt = null!;
    private Tensor _x = null!, _y = null!;

    /// <summary>The device (see <see cref="BenchDevices"/>).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>Samples per step.</summary>
    [Params(128, 1024)]
    public int Batch { get; set; }

    /// <summary>The devices chosen at start-up.</summary>
    public static IEnumerable<string> Devices => BenchDevices.Names;

    /// <summary>Model, optimizer and batch on the device.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var device = BenchDevices.Open(Device);
        _model = new Chain(new Dense(784, 512, Relu, seed: 1), new Dense(512, 256, Relu, seed: 2), new Dense(256, 10, seed: 3)).To(device);
        _opt = new Adam(1e-3f).Setup(_model);
        (_x, _y) = BenchData.Batch(new Shape(Batch, 784), device, 4);
    }

    /// <summary>MLP 784-512-256-10, Adam.</summary>
    [Benchmark]
    public float Mlp() => Trainer.TrainStep((x, y) => Losses.LogitCrossEntropy(_model.Forward(x), y), _x, _y, _opt);

    /// <summary>Releases model and batch.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
