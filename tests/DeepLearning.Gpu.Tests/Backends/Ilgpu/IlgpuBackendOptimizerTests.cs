using DeepLearning.Backends;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>Every fused optimizer rule against the CPU: the target and both state buffers after two steps.</summary>
public class IlgpuBackendOptimizerTests
{
    public static TheoryData<string, OptimizerOp, bool> Cases()
    {
        var data = new TheoryData<string, OptimizerOp, bool>();
        foreach (var d in Names)
            foreach (var op in Enum.GetValues<OptimizerOp>())
                foreach (bool subtract in new[] { true, false })
                    data.Add(d, op, subtract);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OptimizerStep_matches_the_cpu(string device, OptimizerOp op, bool subtract)
    {
        const int n = 45;
        var h = new OptimizerHyperParameters
        {
            LearningRate = 0.3f, Beta1 = 0.9f, Beta2 = 0.99f, Epsilon = 1e-3f, WeightDecay = 0.05f, Correction1 = 1.9f, Correction2 = 1.3f,
        };
        var p = Random(n, 30);
        var g = Random(n, 31);
        var m = Random(n, 32);
        var v = Random(n, 33, 0f, 1f);
        var cpu = Run(Device.Cpu.Backend);
        var gpu = Run(Backend(device));
        for (int i = 0; i < 3; i++) AssertClose(cpu[i], gpu[i], 1e-5f, $"{op} {(i == 0 ? "target" : i == 1 ? "m" : "v")}");

        float[][] Run(IBackend b)
        {
            var bufs = new[] { p, g, m, v }.Select(d =>
            {
                var buf = b.Allocate(d.Length + 1);
                b.Upload(d, buf, 1);
                return buf;
            }).ToArray();
            // Target = the parameter's own memory (the in-place case), two steps so the state feeds back.
            for (int s = 0; s < 2; s++)
                b.OptimizerStep(op, h, bufs[0], 1, bufs[1], 1, bufs[2], 1, bufs[3], 1, bufs[0], 1, subtract, n);
            var outs = new[] { new float[n], new float[n], new float[n] };
            b.Download(bufs[0], 1, outs[0]);
            b.Download(bufs[2], 1, outs[1]);
            b.Download(bufs[3], 1, outs[2]);
            foreach (var buf in bufs) buf.Release();
            return outs;
        }
    }
}
