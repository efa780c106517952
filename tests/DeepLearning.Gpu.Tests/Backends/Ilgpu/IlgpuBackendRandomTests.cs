using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>The Philox port: uniform fills bit-identical to the CPU's, normal fills within float tolerance.</summary>
public class IlgpuBackendRandomTests
{
    public static TheoryData<string, ulong, float, float> UniformCases()
    {
        var data = new TheoryData<string, ulong, float, float>();
        foreach (var d in Names)
        {
            data.Add(d, 0UL, -1f, 3f);
            // Element indices crossing 2³²: the counter arithmetic must stay 64-bit on the device.
            data.Add(d, (1UL << 32) - 3, 0f, 1f);
            data.Add(d, 12345UL, -0.5f, 0.5f);
        }
        return data;
    }

    // On CUDA and OpenCL this also checks that low + scale·u is not contracted into an FMA (which would round differently).
    [Theory]
    [MemberData(nameof(UniformCases))]
    public void Uniform_is_bit_identical_to_the_cpu(string device, ulong counter, float low, float high)
    {
        var (cpu, gpu) = Both(Backend(device), [], new float[103], (b, _, o) => b.RandomUniform(o, 3, 99, 0xDEADBEEF12345UL, counter, low, high));
        Assert.Equal(cpu, gpu);
        Assert.All(gpu.Skip(3).Take(99), v => Assert.InRange(v, low, high));
        Assert.True(gpu.Skip(3).Take(99).Distinct().Count() > 90);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Normal_matches_the_cpu(string device)
    {
        var (cpu, gpu) = Both(Backend(device), [], new float[200], (b, _, o) => b.RandomNormal(o, 0, 200, 42UL, 7UL, 1.5f, 2f));
        AssertClose(cpu, gpu, 1e-5f, "normal");
    }
}
