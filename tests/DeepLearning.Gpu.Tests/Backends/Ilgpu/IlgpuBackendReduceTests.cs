using DeepLearning.Backends;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>Reductions over [outer, axis, inner] and ArgMax against the CPU (rel. error ≤ 1e-4).</summary>
public class IlgpuBackendReduceTests
{
    public static TheoryData<string, ReduceOp, int, int, int> Cases()
    {
        var data = new TheoryData<string, ReduceOp, int, int, int>();
        foreach (var d in Names)
            foreach (var op in Enum.GetValues<ReduceOp>())
            {
                data.Add(d, op, 3, 5, 4);     // thread per output
                data.Add(d, op, 2, 300, 1);   // a group per output (axis ≥ 64), several strides per thread
                data.Add(d, op, 2, 70, 3);    // group per output over a strided axis
                data.Add(d, op, 2, 0, 3);     // empty axis
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reduce_matches_the_cpu(string device, ReduceOp op, int outer, int axis, int inner)
    {
        var x = Random(outer * axis * inner + 2, 7);
        var (cpu, gpu) = Both(Backend(device), [x], new float[outer * inner + 1], (b, i, o) => b.Reduce(op, i[0], 2, outer, axis, inner, o, 1));
        AssertClose(cpu, gpu, 1e-4f, $"{op} over [{outer}, {axis}, {inner}]");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Max_propagates_nan_like_the_cpu(string device)
    {
        var x = Random(3 * 100, 8);
        x[150] = float.NaN;
        x[7] = float.NaN;
        var (cpu, gpu) = Both(Backend(device), [x], new float[3], (b, i, o) => b.Reduce(ReduceOp.Max, i[0], 0, 3, 100, 1, o, 0));
        AssertClose(cpu, gpu, 0f, "Max with NaN");
        Assert.True(float.IsNaN(gpu[0]) && float.IsNaN(gpu[1]) && !float.IsNaN(gpu[2]));
    }

    [Theory]
    [InlineData("warp4", 3, 7, 4)]
    [InlineData("warp4", 2, 100, 1)]
    [InlineData("warp4", 2, 0, 3)]
    [InlineData("warp32", 3, 7, 4)]
    [InlineData("warp32", 2, 100, 1)]
    public void ArgMax_finds_the_first_maximum(string device, int outer, int axis, int inner)
    {
        // Few distinct values: ties everywhere, so "first" is tested.
        var x = Random(outer * axis * inner, 9).Select(v => MathF.Round(v)).ToArray();
        if (x.Length > 5) x[5] = float.NaN;
        var (cpu, gpu) = Both(Backend(device), [x], new float[outer * inner], (b, i, o) => b.ArgMax(i[0], 0, outer, axis, inner, o, 0));
        Assert.Equal(cpu, gpu);
    }
}
