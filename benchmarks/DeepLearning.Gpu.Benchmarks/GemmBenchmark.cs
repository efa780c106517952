using BenchmarkDotNet.Attributes;

namespace DeepLearning.Gpu.Benchmarks;

/// <summary>
/// C = A·B of two random N×N matrices on each device (cuBLAS on CUDA, the tiled ILGPU kernel on OpenCL, the packed
/// CPU GEMM on the CPU), waiting for the device each time; the GFLOP/s column is 2·N³ over the mean. N runs from 256,
/// where a GPU is launch- and latency-bound, to 8192, where it is compute-bound.
/// </summary>
[Config(typeof(BenchConfig))]
public class GemmBenchmark
{
    private DeepLearning.Device _device = DeepLearning.Device.Cpu;
    private Tensor _a = null!, _b = null!;

    /// <summary>The device (see <see cref="BenchDevices"/>).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>The matrix size.</summary>
    [Params(256, 1024, 4096, 8192)]
    public int N { get; set; }

    /// <summary>The devices chosen at start-up.</summary>
    public static IEnumerable<string> Devices => BenchDevices.Names;

    /// <summary>Random inputs on the device.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevices.Open(Device);
        _a = Tensor.RandN(new Shape(N, N), seed: 1, _device);
        _b = Tensor.RandN(new Shape(N, N), seed: 2, _device);
    }

    /// <summary>One product, its result released, the device waited for.</summary>
    [Benchmark]
    public void MatMul()
    {
        using (TensorScope.Begin()) _a.MatMul(_b);
        _device.Backend.Synchronize();
    }

    /// <summary>Releases the inputs.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
    }
}
