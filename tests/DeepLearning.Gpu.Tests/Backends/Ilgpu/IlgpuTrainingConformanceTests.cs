
namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>
/// A whole training run through the public API on the GPU backend against the same run on the CPU: every op forward
/// and backward that an MLP uses, the fused dense epilogue, log-softmax cross-entropy and Adam, step by step.
/// </summary>
public class IlgpuTrainingConformanceTests(ITestOutputHelper output)
{
    private const int Steps = 24;

    // A step of this two-layer MLP with Adam: forward and backward products, fused epilogues, the loss and its gradient,
    // and one optimizer kernel per parameter. Launch overhead is what bounds small steps on a GPU, so growth here is a
    // regression even when results stay right.
    private const int LaunchBudget = 24; // 23 measured

    private sealed class Run(Device device)
    {
        private static readonly float[] W1 = TestDevices.Random(16 * 8, 50, -0.5f, 0.5f);
        private static readonly float[] W2 = TestDevices.Random(4 * 16, 51, -0.5f, 0.5f);
        private static readonly float[] B1 = TestDevices.Random(16, 52, -0.1f, 0.1f);
        private static readonly float[] X = TestDevices.Random(16 * 8, 53);
        private static readonly int[] Labels = Enumerable.Range(0, 16).Select(i => (i * 7 + 3) % 4).ToArray();

        public Parameter W1p { get; } = new(Tensor.FromSpan(W1, new Shape(16, 8), device), "w1");
        public Parameter B1p { get; } = new(Tensor.FromSpan(B1, new Shape(16), device), "b1");
        public Parameter W2p { get; } = new(Tensor.FromSpan(W2, new Shape(4, 16), device), "w2");
        public Parameter B2p { get; } = new(Tensor.Zeros(new Shape(4), device), "b2");
        public Tensor Xs { get; } = Tensor.FromSpan(X, new Shape(16, 8), device);
        public Tensor Ys { get; } = Tensor.OneHot(Labels, 4, device);

        public Tensor Loss(Tensor x, Tensor y) =>
            Losses.LogitCrossEntropy(Tensor.Linear(Tensor.Linear(x, W1p, B1p).Relu(), W2p, B2p), y);
    }

    // Every device but warp 32: at 32 lanes × 8 warps every launch wakes 256 OS threads, and the ~1000 launches of this
    // run took 330 s on the 2-core CI machine (10 s at warp 4). The primitives it uses all run at warp 32 in the other classes.
    public static TheoryData<string> Devices() => new(TestDevices.Names.Where(n => n != "warp32"));

    [Theory]
    [MemberData(nameof(Devices))]
    public void Mlp_losses_match_the_cpu_step_by_step_with_flat_live_buffers_and_no_host_copies(string name)
    {
        var device = TestDevices.Get(name);
        var gpu = TestDevices.Backend(name);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var cpuLosses = Train(Device.Cpu, null, out _);
        output.WriteLine($"cpu {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        var gpuLosses = Train(device, gpu, out var counts);
        output.WriteLine($"{name} {sw.ElapsedMilliseconds} ms");
        for (int s = 0; s < Steps; s++)
            Assert.True(Math.Abs(gpuLosses[s] - cpuLosses[s]) <= 1e-4f * Math.Abs(cpuLosses[s]),
                $"step {s}: loss {gpuLosses[s]:R} on {device}, {cpuLosses[s]:R} on the CPU");
        Assert.True(cpuLosses[^1] < cpuLosses[0] * 0.8f, "the run must actually learn");
        Assert.Equal(counts.LiveAfterWarmUp, counts.LiveAtEnd);
        Assert.Equal(counts.DriverAfterWarmUp, counts.DriverAtEnd);
        Assert.Equal(0, counts.Uploads);
        Assert.Equal(Steps - 3, counts.Downloads);
        output.WriteLine($"kernel launches per step: {string.Join(' ', counts.LaunchesPerStep)}");
        Assert.All(counts.LaunchesPerStep, n => Assert.Equal(counts.LaunchesPerStep[0], n));
        Assert.InRange(counts.LaunchesPerStep[0], 1, LaunchBudget);
    }

    private readonly record struct Counts(long LiveAfterWarmUp, long LiveAtEnd, long DriverAfterWarmUp, long DriverAtEnd, long Uploads, long Downloads, long[] LaunchesPerStep);

    private static float[] Train(Device device, DeepLearning.Backends.Ilgpu.IlgpuBackend? gpu, out Counts counts)
    {
        var run = new Run(device);
        var opt = new Adam(0.02f).Setup([run.W1p, run.B1p, run.W2p, run.B2p]);
        var losses = new float[Steps];
        long live = 0, driver = 0, up = 0, down = 0;
        var launches = new long[Steps - 3];
        for (int s = 0; s < Steps; s++)
        {
            long before = gpu?.KernelLaunches ?? 0;
            if (s == 3)
            {
                live = device.LiveBuffers;
                driver = gpu?.DriverAllocations ?? 0;
                up = gpu?.Uploads ?? 0;
                down = gpu?.Downloads ?? 0;
            }
            losses[s] = Trainer.TrainStep(run.Loss, run.Xs, run.Ys, opt);
            if (s >= 3) launches[s - 3] = (gpu?.KernelLaunches ?? 0) - before;
        }
        counts = new Counts(live, device.LiveBuffers, driver, gpu?.DriverAllocations ?? 0, (gpu?.Uploads ?? 0) - up, (gpu?.Downloads ?? 0) - down, launches);
        return losses;
    }
}
