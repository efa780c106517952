using System.Diagnostics;
using System.Globalization;
using static DeepLearning.Activations;

namespace DeepLearning.GpuCompare;

/// <summary>
/// CPU-vs-GPU timings of whole training steps and one large product, the same cases as benchmarks/compare/torch_gpu.py
/// runs on PyTorch: <c>DeepLearning.GpuCompare DEVICE [seconds]</c> (DEVICE: cpu, cuda:0, opencl:0, ilgpu-cpu).
/// Each case: the first call (kernel compilation and cuBLAS set-up included) timed alone, then chunks of at least 50 ms
/// for <c>seconds</c>, the median time per iteration reported. Every chunk ends by waiting for the device.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: DeepLearning.GpuCompare cpu|cuda:N|opencl:N|ilgpu-cpu [seconds] [case ...]");
            return 2;
        }
        var device = Open(args[0]);
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var only = args.Skip(2).ToHashSet();
        if (device.Backend is Backends.Ilgpu.IlgpuBackend gpu) Console.WriteLine($"# {device.Name}: GEMM on {gpu.GemmEngine}");
        Console.WriteLine("case\tdevice\tfirst_ms\tms_per_it\tper_s");
        foreach (var (name, work, build) in Cases())
        {
            if (only.Count > 0 && !only.Contains(name)) continue;
            var run = build(device);
            var (first, median) = Measure(run, device, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}\t{device.Name}\t{first * 1e3:F1}\t{median * 1e3:F3}\t{work / median:F0}"));
        }
        return 0;
    }

    private static Device Open(string name) => name switch
    {
        "cpu" => Device.Cpu,
        "ilgpu-cpu" => GpuDevices.IlgpuCpu(),
        _ when name.StartsWith("cuda:", StringComparison.Ordinal) => GpuDevices.Cuda(int.Parse(name[5..], CultureInfo.InvariantCulture)),
        _ when name.StartsWith("opencl:", StringComparison.Ordinal) => GpuDevices.OpenCL(int.Parse(name[7..], CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException($"unknown device '{name}' (cpu, cuda:N, opencl:N, ilgpu-cpu)"),
    };

    /// <summary>Name, work per iteration (samples, or FLOP for the product) and a builder of one iteration on a device.</summary>
    private static IEnumerable<(string, double, Func<Device, Action>)> Cases()
    {
        yield return ("gemm4096", 2.0 * 4096 * 4096 * 4096, d =>
        {
            var a = Tensor.RandN(new Shape(4096, 4096), seed: 1).To(d);
            var b = Tensor.RandN(new Shape(4096, 4096), seed: 2).To(d);
            return () =>
            {
                using (TensorScope.Begin()) a.MatMul(b);
            };
        });
        foreach (int batch in new[] { 256, 4096 })
            yield return ($"mlp_adam_b{batch}", batch, d => Step(d, batch, [784],
                () => new Chain(new Dense(784, 512, Relu, seed: 1), new Dense(512, 256, Relu, seed: 2), new Dense(256, 10, seed: 3)), adam: true));
        yield return ("cnn_sgd_b128", 128, d => Step(d, 128, [1, 28, 28],
            () => new Chain(new Conv2D(1, 32, 3, Relu, seed: 1), new MaxPool2D(2), new Conv2D(32, 64, 3, Relu, seed: 2), new MaxPool2D(2),
                new Flatten(), new Dense(1600, 10, seed: 3)), adam: false));
    }

    /// <summary>One training step (forward, backward, update, the loss read back) on a fixed batch.</summary>
    private static Action Step(Device device, int batch, int[] sample, Func<Layer> build, bool adam)
    {
        var model = build().To(device);
        var opt = adam ? new Adam(1e-3f).Setup(model) : new Descent(0.01f).Setup(model);
        var x = Tensor.Uniform(new Shape([batch, .. sample]), 0f, 1f, seed: 4).To(device);
        var rng = new Random(5);
        var y = Tensor.OneHot([.. Enumerable.Range(0, batch).Select(_ => rng.Next(10))], 10).To(device);
        return () => Trainer.TrainStep((xb, yb) => Losses.LogitCrossEntropy(model.Forward(xb), yb), x, y, opt);
    }

    private static (double First, double Median) Measure(Action run, Device device, double seconds)
    {
        var sw = Stopwatch.StartNew();
        run();
        device.Backend.Synchronize();
        double first = sw.Elapsed.TotalSeconds;
        // Warm-up to a steady state (allocator caches filled, clocks up), then chunks of >= 50 ms.
        sw.Restart();
        while (sw.Elapsed.TotalSeconds < Math.Min(1, seconds / 2)) run();
        device.Backend.Synchronize();
        var perIteration = new List<double>();
        var total = Stopwatch.StartNew();
        int n = 1;
        while (total.Elapsed.TotalSeconds < seconds || perIteration.Count < 3)
        {
            sw.Restart();
            for (int i = 0; i < n; i++) run();
            device.Backend.Synchronize();
            double t = sw.Elapsed.TotalSeconds;
            if (t < 0.05)
            {
                n *= 2;
                continue;
            }
            perIteration.Add(t / n);
        }
        perIteration.Sort();
        return (first, perIteration[perIteration.Count / 2]);
    }
}
