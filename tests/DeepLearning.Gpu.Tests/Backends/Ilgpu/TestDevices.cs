using DeepLearning.Backends;
using DeepLearning.Backends.Ilgpu;

// The CPU accelerator runs every kernel on hundreds of OS threads; running test classes side by side on a 2-core
// machine only makes each slower (and would make live-buffer counts race).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>The devices the conformance suite runs on: ILGPU's CPU accelerator with 4- and 32-lane warps.</summary>
public static class TestDevices
{
    /// <summary>
    /// The CPU accelerator at warp 4 and warp 32 always, plus <c>cuda</c> and <c>opencl</c> when such a device is present
    /// (CI's PoCL chroot offers <c>opencl</c>). <c>DEEPLEARNING_GPU_TEST_DEVICES=opencl,cuda</c> restricts the list.
    /// </summary>
    public static readonly string[] Names = FindDevices();

    private static string[] FindDevices()
    {
        var names = new List<string> { "warp4", "warp32" };
        foreach (var d in GpuDevices.List())
            if (d.Supported && d.Index == 0 && !names.Contains(d.Kind)) names.Add(d.Kind);
        if (Environment.GetEnvironmentVariable("DEEPLEARNING_GPU_TEST_DEVICES") is { Length: > 0 } only)
            names = names.Intersect(only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        return [.. names];
    }

    public static TheoryData<string> All() => new(Names);

    public static Device Get(string name) => name switch
    {
        "warp4" => GpuDevices.IlgpuCpu(),
        "warp32" => GpuDevices.IlgpuCpu(32, 8, 1),
        "cuda" => GpuDevices.Cuda(),
        "opencl" => GpuDevices.OpenCL(),
        _ => throw new ArgumentException($"unknown test device {name}"),
    };

    internal static IlgpuBackend Backend(string name) => (IlgpuBackend)Get(name).Backend;

    public static float[] Random(int n, int seed, float low = -2f, float high = 2f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = low + (high - low) * (float)r.NextDouble();
        return a;
    }

    /// <summary>|actual − expected| ≤ tol · max(1, |expected|) everywhere; NaN matches NaN; infinities must match.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e) && float.IsNaN(a)) continue;
            if (float.IsInfinity(e) && e == a) continue;
            if (!(Math.Abs(a - e) <= tol * Math.Max(1f, Math.Abs(e))))
                Assert.Fail($"{what}: element {i} is {a:R}, the CPU gives {e:R} (tolerance {tol})");
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> on the CPU backend and on <paramref name="gpu"/> with the same inputs (uploaded) and
    /// output buffers pre-filled with <paramref name="output"/>; returns both outputs, downloaded.
    /// </summary>
    public static (float[] Cpu, float[] Gpu) Both(IBackend gpu, float[][] inputs, float[] output, Action<IBackend, DeviceBuffer[], DeviceBuffer> call)
    {
        return (Run(Device.Cpu.Backend), Run(gpu));

        float[] Run(IBackend b)
        {
            var ins = inputs.Select(d =>
            {
                var buf = b.Allocate(d.Length);
                b.Upload(d, buf, 0);
                return buf;
            }).ToArray();
            var o = b.Allocate(output.Length);
            b.Upload(output, o, 0);
            call(b, ins, o);
            var result = new float[output.Length];
            b.Download(o, 0, result);
            foreach (var buf in ins) buf.Release();
            o.Release();
            return result;
        }
    }
}
