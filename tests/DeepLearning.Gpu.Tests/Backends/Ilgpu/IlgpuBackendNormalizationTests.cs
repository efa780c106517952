using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>Batch-norm statistics, forward and backward over [n, c, s] against the CPU (rel. error ≤ 1e-4).</summary>
public class IlgpuBackendNormalizationTests
{
    public static TheoryData<string, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var d in Names)
        {
            data.Add(d, 4, 3, 5);    // fewer values per channel than a group
            data.Add(d, 3, 2, 110);  // several strides per thread, runs crossing stride boundaries
            data.Add(d, 6, 4, 1);    // a dense layer's [batch, features]
            data.Add(d, 1, 2, 1);    // one value per channel: variance 0, no unbiasing
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Statistics_match_the_cpu_with_and_without_running_updates(string device, int n, int c, int s)
    {
        // A large mean: a one-pass E[x²] − E[x]² would lose the variance.
        var x = Random(n * c * s + 3, 60, 98f, 102f);
        foreach (bool running in new[] { true, false })
        {
            // [mean | variance | running mean | running variance], all pre-filled so unwritten parts are compared too.
            var (cpu, gpu) = Both(Backend(device), [x], Random(4 * c + 1, 61, 0.5f, 1.5f), (b, i, o) => b.BatchNormStatistics(
                i[0], 3, n, c, s, o, 1, o, 1 + c, running ? o : null, 1 + 2 * c, running ? o : null, 1 + 3 * c, 0.1f));
            AssertClose(cpu, gpu, 1e-4f, $"statistics over [{n}, {c}, {s}] running={running}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_the_cpu(string device, int n, int c, int s)
    {
        var x = Random(n * c * s + 1, 62);
        var mean = Random(c, 63, -1f, 1f);
        var variance = Random(c, 64, 0.1f, 3f);
        var gamma = Random(c + 2, 65);
        var beta = Random(c, 66);
        var (cpu, gpu) = Both(Backend(device), [x, mean, variance, gamma, beta], Random(n * c * s + 2, 67),
            (b, i, o) => b.BatchNormForward(i[0], 1, n, c, s, i[1], 0, i[2], 0, 1e-5f, i[3], 2, i[4], 0, o, 2));
        AssertClose(cpu, gpu, 1e-5f, $"forward over [{n}, {c}, {s}]");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_the_cpu(string device, int n, int c, int s)
    {
        int size = n * c * s;
        var x = Random(size, 68);
        var dy = Random(size + 1, 69);
        var mean = Random(c, 70, -0.5f, 0.5f);
        var variance = Random(c, 71, 0.5f, 2f);
        var gamma = Random(c, 72);
        // [dx | dγ | dβ], pre-filled.
        var (cpu, gpu) = Both(Backend(device), [x, dy, mean, variance, gamma], Random(size + 2 * c + 1, 73),
            (b, i, o) => b.BatchNormBackward(i[0], 0, i[1], 1, n, c, s, i[2], 0, i[3], 0, 1e-5f, i[4], 0, o, 1, o, 1 + size, o, 1 + size + c));
        AssertClose(cpu, gpu, 1e-4f, $"backward over [{n}, {c}, {s}]");
    }
}
