using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>Softmax and log-softmax, forward and backward, against the CPU (rows shorter and longer than a group).</summary>
public class IlgpuBackendSoftmaxTests
{
    public static TheoryData<string, int, bool> Cases()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (var d in Names)
            foreach (int cols in new[] { 10, 300 })
                foreach (bool log in new[] { false, true })
                    data.Add(d, cols, log);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Softmax_and_its_backward_match_the_cpu(string device, int cols, bool log)
    {
        const int rows = 3;
        // Large logits: without the max subtraction exp would overflow.
        var x = Random(rows * cols + 1, 20, -60f, 90f);
        var (cpu, gpu) = Both(Backend(device), [x], new float[rows * cols], (b, i, o) => b.Softmax(i[0], 1, o, 0, rows, cols, log));
        AssertClose(cpu, gpu, 1e-5f, $"softmax log={log}");
        var dy = Random(rows * cols, 21);
        (cpu, gpu) = Both(Backend(device), [cpu, dy], new float[rows * cols + 2], (b, i, o) => b.SoftmaxBackward(i[0], 0, i[1], 0, o, 2, rows, cols, log));
        AssertClose(cpu, gpu, 1e-4f, $"softmax backward log={log}");
    }
}
