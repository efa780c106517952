using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Tests.Ops;

/// <summary>
/// The fused optimizer kernel: the CPU backend against the host reference (<c>OptimizerMath.Step</c> over the whole
/// span at once, on the calling thread); every op, both target modes, with the target aliasing the parameter or the
/// gradient, at lengths around the SIMD width, at an offset, and one long enough to be split across cores.
/// </summary>
public class OptimizerUpdatesTests
{
    public static TheoryData<OptimizerOp, bool, int> Cases()
    {
        var data = new TheoryData<OptimizerOp, bool, int>();
        foreach (var op in Enum.GetValues<OptimizerOp>())
            foreach (bool subtract in new[] { false, true })
                foreach (int n in new[] { 0, 1, 7, 16, 37, 300_007 })
                    data.Add(op, subtract, n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cpu_kernel_matches_the_host_reference(OptimizerOp op, bool subtract, int n)
    {
        var h = new OptimizerHyperParameters
        {
            LearningRate = 0.3f, Beta1 = 0.8f, Beta2 = 0.9f, Epsilon = 1e-3f, WeightDecay = 0.05f, Correction1 = 1.5f, Correction2 = 2.5f,
        };
        const int offset = 3;
        var results = new List<float[]>();
        foreach (bool reference in new[] { false, true })
        {
            var p = Buffer(n, offset, 1);
            var g = Buffer(n, offset, 2);
            var m = Buffer(n, offset, 3);
            var v = Buffer(n, offset, 4, positive: true);
            // Subtract into the parameter itself; write the step over the gradient (as a chain's scratch does).
            var target = subtract ? p : g;
            if (reference)
            {
                static Span<float> S(DeviceBuffer b, int n) => ((CpuBuffer)b).AsSpan(offset, n);
                OptimizerMath.Step(op, h, S(p, n), S(g, n), S(m, n), S(v, n), S(target, n), subtract);
            }
            else CpuBackend.Instance.OptimizerStep(op, h, p, offset, g, offset, m, offset, v, offset, target, offset, subtract, n);
            results.Add([.. Read(p, n + offset), .. Read(g, n + offset), .. Read(m, n + offset), .. Read(v, n + offset)]);
            foreach (var b in new[] { p, g, m, v }) b.Release();
        }
        Assert.Equal(results[0].Length, results[1].Length);
        for (int i = 0; i < results[0].Length; i++) Assert.Equal(results[0][i], results[1][i], 1e-6f);
    }

    private static DeviceBuffer Buffer(int n, int offset, int seed, bool positive = false)
    {
        var b = CpuBackend.Instance.Allocate(n + offset);
        var values = new float[n + offset];
        for (int i = 0; i < values.Length; i++)
        {
            float x = MathF.Sin(1.3f * i + seed) * 2;
            values[i] = positive ? MathF.Abs(x) : x;
        }
        CpuBackend.Instance.Upload(values, b, 0);
        return b;
    }

    private static float[] Read(DeviceBuffer b, int n)
    {
        var r = new float[n];
        CpuBackend.Instance.Download(b, 0, r);
        return r;
    }
}
