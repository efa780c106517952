using DeepLearning.Backends;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>
/// Max and average pooling, forward and backward, against the CPU: inputs rounded to a few values (ties everywhere) with
/// NaNs planted, so the recorded indices (compared exactly) pin down the first-maximum and NaN rules; windows
/// overlapping, dilated, with asymmetric padding and wholly in padding (index −1).
/// </summary>
public class IlgpuBackendPoolTests
{
    // n, c, h, w, kh, kw, sh, sw, padTop, padBottom, padLeft, padRight, dh, dw
    private static readonly int[][] Geometries =
    [
        [2, 2, 6, 8, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1],
        [1, 3, 7, 6, 3, 3, 2, 1, 1, 0, 0, 1, 1, 1],
        [2, 1, 7, 7, 3, 2, 1, 2, 2, 2, 1, 1, 2, 2],
        [1, 2, 5, 4, 2, 2, 2, 2, 2, 0, 0, 1, 1, 1],
    ];

    private static ConvGeometry Geometry(int[] p)
    {
        int oh = (p[2] + p[8] + p[9] - p[12] * (p[4] - 1) - 1) / p[6] + 1;
        int ow = (p[3] + p[10] + p[11] - p[13] * (p[5] - 1) - 1) / p[7] + 1;
        return new ConvGeometry(p[0], p[1], p[2], p[3], p[1], p[1], p[4], p[5], p[6], p[7], p[8], p[10], p[12], p[13], oh, ow);
    }

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var d in Names)
            for (int k = 0; k < Geometries.Length; k++) data.Add(d, k);
        return data;
    }

    private static float[] Ties(int n, int seed)
    {
        var x = Random(n, seed);
        for (int i = 0; i < n; i++) x[i] = MathF.Round(x[i]);
        x[n / 3] = float.NaN;
        x[n / 2] = float.NaN;
        return x;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MaxPool2D_and_its_backward_match_the_cpu(string device, int k)
    {
        var g = Geometry(Geometries[k]);
        int xs = g.Batch * g.InChannels * g.InPlane, ys = g.Batch * g.InChannels * g.OutPlane;
        // [y | indices | dx], pre-filled; each backend's backward reads its own indices.
        var (cpu, gpu) = Both(Backend(device), [Ties(xs + 1, 300 + k), Random(ys + 2, 310 + k)], Random(1 + 2 * ys + xs, 320 + k),
            (b, i, o) =>
            {
                b.MaxPool2D(g, i[0], 1, o, 1, o, 1 + ys);
                b.MaxPool2DBackward(g, i[1], 2, o, 1 + ys, o, 1 + 2 * ys);
            });
        Assert.Equal(cpu.AsSpan(1 + ys, ys).ToArray(), gpu.AsSpan(1 + ys, ys).ToArray());
        AssertClose(cpu, gpu, 1e-4f, $"max pool {g}");
        if (k == 3) Assert.Equal(-1f, gpu[1 + ys]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AvgPool2D_and_its_backward_match_the_cpu(string device, int k)
    {
        var g = Geometry(Geometries[k]);
        int xs = g.Batch * g.InChannels * g.InPlane, ys = g.Batch * g.InChannels * g.OutPlane;
        // [y | dx], pre-filled.
        var (cpu, gpu) = Both(Backend(device), [Random(xs + 1, 330 + k), Random(ys + 2, 340 + k)], Random(1 + ys + xs, 350 + k),
            (b, i, o) =>
            {
                b.AvgPool2D(g, i[0], 1, o, 1);
                b.AvgPool2DBackward(g, i[1], 2, o, 1 + ys);
            });
        AssertClose(cpu, gpu, 1e-4f, $"avg pool {g}");
    }
}
