using System.Diagnostics;
using System.Globalization;
using DeepLearning.Backends.Ilgpu;
using static DeepLearning.Activations;

namespace DeepLearning.GpuCompare;

/// <summary>
/// CPU-vs-GPU timings of whole training steps and one large product, the same cases as benchmarks/compare/torch_gpu.py
/// runs on PyTorch: <c>DeepLearning.GpuCompare DEVICE [seconds] [case ...]</c> (DEVICE: cpu, cuda:0, opencl:0, ilgpu-cpu).
/// Each case: the first call (kernel compilation and cuBLAS set-up included) timed alone, then chunks of at least 50 ms
/// for <c>seconds</c>, the median time per iteration reported. Every chunk ends by waiting for the device. On an ILGPU
/// device each row also gives the kernels and cuBLAS calls queued per iteration: small GPU steps are launch-bound, so
/// this count is what explains their time. benchmarks/compare/gpu_table.py joins this table with PyTorch's.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: DeepLearning.GpuCompare cpu|cuda:N|opencl:N|ilgpu-cpu [seconds] [case ...]");
            Console.Error.WriteLine($"cases: {string.Join(' ', Cases().Select(c => c.Name))}");
            return 2;
        }
        Device device;
        try
        {
            device = Open(args[0]);
        }
        catch (Exception e) when (e is GpuUnavailableException or ArgumentException)
        {
            // The reason alone (missing driver, no such device), not a crash dump: scripts/gpu-check.sh shows this line.
            Console.Error.WriteLine(e.Message);
            return 3;
        }
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var only = args.Skip(2).ToHashSet();
        var unknown = only.Except(Cases().Select(c => c.Name)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown case(s) {string.Join(' ', unknown)}; cases: {string.Join(' ', Cases().Select(c => c.Name))}");
            return 2;
        }
        var gpu = device.Backend as IlgpuBackend;
        if (gpu is not null) Console.WriteLine($"# {device.Name}: GEMM on {gpu.GemmEngine}");
        Console.WriteLine("case\tdevice\tfirst_ms\tms_per_it\tper_s\tlaunches_per_it");
        foreach (var (name, work, tf32, build) in Cases())
        {
            if (only.Count > 0 && !only.Contains(name)) continue;
            if (tf32 && !TrySetTf32(gpu, true, out string why))
            {
                // A row, not a gap, so the table shows the case was asked for and why it has no number.
                Console.WriteLine($"# {name}: not applicable: {why}");
                Console.WriteLine($"{name}\t{device.Name}\tn/a\tn/a\tn/a\tn/a");
                continue;
            }
            try
            {
                var run = build(device);
                var m = Measure(run, device, gpu, seconds);
                string launches = gpu is null ? "-" : (m.Launches / (double)m.Iterations).ToString("F1", CultureInfo.InvariantCulture);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}\t{device.Name}\t{m.First * 1e3:F1}\t{m.Median * 1e3:F3}\t{work / m.Median:F0}\t{launches}"));
            }
            finally
            {
                if (tf32) TrySetTf32(gpu, false, out _);
            }
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

    /// <summary>TF32 exists only for cuBLAS on CUDA; elsewhere says why, so no number is printed that means something else.</summary>
    private static bool TrySetTf32(IlgpuBackend? gpu, bool on, out string why)
    {
        why = "";
        if (gpu is null)
        {
            why = "cpu: TF32 needs cuBLAS on a CUDA device; the CPU backend computes in FP32";
            return false;
        }
        try
        {
            gpu.AllowTf32 = on;
            return true;
        }
        catch (NotSupportedException e)
        {
            why = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Name, work per iteration (samples, or FLOP for the product), whether it runs with TF32 allowed, and a builder of
    /// one iteration on a device.
    /// </summary>
    private static IEnumerable<(string Name, double Work, bool Tf32, Func<Device, Action> Build)> Cases()
    {
        yield return ("gemm4096", 2.0 * 4096 * 4096 * 4096, false, Gemm4096);
        yield return ("gemm4096_tf32", 2.0 * 4096 * 4096 * 4096, true, Gemm4096);
        foreach (int batch in new[] { 128, 1024 })
            yield return ($"mlp_adam_b{batch}", batch, false, d => Step(d, batch, [784],
                () => new Chain(new Dense(784, 512, Relu, seed: 1), new Dense(512, 256, Relu, seed: 2), new Dense(256, 10, seed: 3)), adam: true));
        yield return ("cnn_sgd_b128", 128, false, d => Step(d, 128, [1, 28, 28],
            () => new Chain(new Conv2D(1, 32, 3, Relu, seed: 1), new MaxPool2D(2), new Conv2D(32, 64, 3, Relu, seed: 2), new MaxPool2D(2),
                new Flatten(), new Dense(1600, 10, seed: 3)), adam: false));
        // Grouped convolutions take other GPU paths than ungrouped ones (narrow groups direct, wide groups batched
        // products): these two set the threshold between them on a real GPU. CIFAR-sized inputs, padding 1.
        yield return ("dwsep_sgd_b64", 64, false, d => Step(d, 64, [3, 32, 32],
            () => new Chain(new Conv2D(3, 32, 3, Relu, padding: 1, seed: 1), new Conv2D(32, 32, 3, Relu, padding: 1, groups: 32, seed: 2),
                new Conv2D(32, 64, 1, Relu, seed: 3), new MaxPool2D(4), new Flatten(), new Dense(4096, 10, seed: 4)), adam: false));
        yield return ("gconv_sgd_b64", 64, false, d => Step(d, 64, [3, 32, 32],
            () => new Chain(new Conv2D(3, 64, 3, Relu, padding: 1, seed: 1), new Conv2D(64, 64, 3, Relu, padding: 1, groups: 4, seed: 2),
                new MaxPool2D(4), new Flatten(), new Dense(4096, 10, seed: 3)), adam: false));
    }

    private static Action Gemm4096(Device d)
    {
        var a = Tensor.RandN(new Shape(4096, 4096), seed: 1).To(d);
        var b = Tensor.RandN(new Shape(4096, 4096), seed: 2).To(d);
        return () =>
        {
            using (TensorScope.Begin()) a.MatMul(b);
        };
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

    private readonly record struct Measurement(double First, double Median, long Launches, long Iterations);

    private static Measurement Measure(Action run, Device device, IlgpuBackend? gpu, double seconds)
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
        long launchesBefore = gpu?.KernelLaunches ?? 0, iterations = 0;
        var total = Stopwatch.StartNew();
        int n = 1;
        while (total.Elapsed.TotalSeconds < seconds || perIteration.Count < 3)
        {
            sw.Restart();
            for (int i = 0; i < n; i++) run();
            device.Backend.Synchronize();
            iterations += n;
            double t = sw.Elapsed.TotalSeconds;
            if (t < 0.05)
            {
                n *= 2;
                continue;
            }
            perIteration.Add(t / n);
        }
        perIteration.Sort();
        return new(first, perIteration[perIteration.Count / 2], (gpu?.KernelLaunches ?? 0) - launchesBefore, iterations);
    }
}
