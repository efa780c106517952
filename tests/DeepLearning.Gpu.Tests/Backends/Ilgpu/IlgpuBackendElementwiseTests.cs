using DeepLearning.Backends;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>Every unary, unary-backward and binary op against the CPU backend on random inputs (rel. error ≤ 1e-5).</summary>
public class IlgpuBackendElementwiseTests
{
    private const float Tol = 1e-5f;

    public static TheoryData<string, UnaryOp> UnaryCases()
    {
        var data = new TheoryData<string, UnaryOp>();
        foreach (var d in Names)
            foreach (var op in Enum.GetValues<UnaryOp>()) data.Add(d, op);
        return data;
    }

    public static TheoryData<string, BinaryOp> BinaryCases()
    {
        var data = new TheoryData<string, BinaryOp>();
        foreach (var d in Names)
            foreach (var op in Enum.GetValues<BinaryOp>()) data.Add(d, op);
        return data;
    }

    internal static (float[] X, float Alpha) UnaryInput(UnaryOp op, int n, int seed)
    {
        // Log, Sqrt and fractional powers need positive inputs; the rest see both signs and a zero.
        bool positive = op is UnaryOp.Log or UnaryOp.Sqrt or UnaryOp.PowScalar or UnaryOp.RDivScalar;
        var x = positive ? Random(n, seed, 0.1f, 3f) : Random(n, seed, -4f, 4f);
        if (!positive) x[n / 2] = 0f;
        float alpha = op switch
        {
            UnaryOp.LeakyRelu => 0.1f,
            UnaryOp.AddScalar => 0.7f,
            UnaryOp.MulScalar => -1.3f,
            UnaryOp.PowScalar => 1.7f,
            UnaryOp.RDivScalar => 2f,
            UnaryOp.RPowScalar => 1.5f,
            UnaryOp.Elu => 0.8f,
            _ => 0f,
        };
        return (x, alpha);
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void Unary_matches_the_cpu(string device, UnaryOp op)
    {
        var (x, alpha) = UnaryInput(op, 61, 1);
        // Offsets 3 and 5: kernels must honour element offsets into a larger buffer.
        var (cpu, gpu) = Both(Backend(device), [x], new float[70], (b, i, o) => b.Unary(op, alpha, i[0], 3, o, 5, 55));
        AssertClose(cpu, gpu, Tol, $"{op}");
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryBackward_matches_the_cpu(string device, UnaryOp op)
    {
        var (x, alpha) = UnaryInput(op, 40, 2);
        var y = new float[40];
        var cpuBackend = Device.Cpu.Backend;
        var xb = cpuBackend.Allocate(40);
        var yb = cpuBackend.Allocate(40);
        cpuBackend.Upload(x, xb, 0);
        cpuBackend.Unary(op, alpha, xb, 0, yb, 0, 40);
        cpuBackend.Download(yb, 0, y);
        xb.Release();
        yb.Release();
        var dy = Random(40, 3);
        var (cpu, gpu) = Both(Backend(device), [x, y, dy], new float[42], (b, i, o) => b.UnaryBackward(op, alpha, i[0], 0, i[1], 0, i[2], 0, o, 2, 40));
        AssertClose(cpu, gpu, Tol, $"{op} backward");
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_broadcasts_like_the_cpu(string device, BinaryOp op)
    {
        // a: [3, 4, 5] read transposed from a [5, 4, 3] buffer; b: [4, 1] broadcast over axes 0 and 2 (strides 0, 1, 0).
        var a = op == BinaryOp.Pow ? Random(60, 4, 0.2f, 2f) : Random(60, 4);
        // Rounded values make equal pairs and zeros, so Equal, KeepWhere and the comparisons see both outcomes.
        var b = Random(4, 5).Select(v => op is BinaryOp.Pow ? v : MathF.Round(v)).ToArray();
        for (int i = 0; i < a.Length; i += 7) a[i] = b[(i / 5) % 4];
        var (cpu, gpu) = Both(Backend(device), [a, b], new float[61],
            (be, i, o) => be.Binary(op, i[0], 0, [1, 3, 12], i[1], 0, [0, 1, 0], o, 1, [3, 4, 5]));
        AssertClose(cpu, gpu, Tol, $"{op}");
        // Both contiguous (one merged axis), and a scalar b.
        (cpu, gpu) = Both(Backend(device), [a, b], new float[60], (be, i, o) => be.Binary(op, i[0], 0, [5, 1], i[1], 2, [0, 0], o, 0, [12, 5]));
        AssertClose(cpu, gpu, Tol, $"{op} with a scalar");
    }
}
