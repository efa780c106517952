using DeepLearning.Backends;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// Max and average pooling, forward and backward, against direct loops over odd shapes, strides, paddings and
/// dilations; max pooling on inputs of few distinct values, so most windows tie and the first maximum must win.
/// </summary>
public class CpuBackendPoolTests
{
    // n, c, h, w, kh, kw, sh, sw, top, bottom, left, right, dh, dw
    private static readonly Dictionary<string, int[]> Cases = new()
    {
        ["2x2 stride 2"] = [2, 3, 8, 6, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1],
        ["2x2 stride 2 odd input"] = [1, 2, 7, 9, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1],
        ["2x2 stride 2 short rows"] = [3, 5, 11, 11, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1],
        ["3x3 stride 1 pad 1"] = [2, 2, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
        ["3x2 stride 2x1 asymmetric pad"] = [3, 1, 9, 7, 3, 2, 2, 1, 1, 0, 0, 1, 1, 1],
        ["dilated"] = [2, 3, 9, 9, 2, 3, 1, 2, 1, 1, 0, 2, 2, 2],
        ["1-D"] = [2, 4, 1, 15, 1, 3, 1, 2, 0, 0, 1, 1, 1, 1],
        ["parallel planes"] = [16, 32, 26, 26, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1],
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    private static ConvGeometry Geometry(int[] p)
    {
        int oh = (p[2] + p[8] + p[9] - p[12] * (p[4] - 1) - 1) / p[6] + 1;
        int ow = (p[3] + p[10] + p[11] - p[13] * (p[5] - 1) - 1) / p[7] + 1;
        return new ConvGeometry(p[0], p[1], p[2], p[3], p[1], p[1], p[4], p[5], p[6], p[7], p[8], p[10], p[12], p[13], oh, ow);
    }

    /// <summary>Calls <paramref name="window"/>(output index, input indices in row-major window order) for every output.</summary>
    private static void ForEachWindow(in ConvGeometry g, Action<int, List<int>> window)
    {
        var taps = new List<int>();
        for (int q = 0, o = 0; q < g.Batch * g.InChannels; q++)
            for (int p = 0; p < g.OutHeight; p++)
                for (int r = 0; r < g.OutWidth; r++, o++)
                {
                    taps.Clear();
                    for (int i = 0; i < g.KernelHeight; i++)
                        for (int j = 0; j < g.KernelWidth; j++)
                        {
                            int iy = p * g.StrideH - g.PadTop + i * g.DilationH, ix = r * g.StrideW - g.PadLeft + j * g.DilationW;
                            if (iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width) taps.Add((q * g.Height + iy) * g.Width + ix);
                        }
                    window(o, taps);
                }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Max_pooling_matches_direct_loops_with_ties(string name)
    {
        var g = Geometry(Cases[name]);
        int inLength = g.Batch * g.InChannels * g.InPlane, outLength = g.Batch * g.InChannels * g.OutPlane;
        // Values 0..3 only: most windows hold their maximum more than once.
        var x = TestData.Uniform(inLength, name.Length, 0, 4).Select(v => MathF.Floor(v)).ToArray();
        var dy = TestData.Uniform(outLength, 5, -1, 1);
        var y = new float[outLength];
        var index = new float[outLength];
        var dx = new float[inLength];
        ForEachWindow(g, (o, taps) =>
        {
            int best = taps[0];
            foreach (int t in taps) if (x[t] > x[best]) best = t;
            y[o] = x[best];
            index[o] = best % g.InPlane;
            dx[best] += dy[o];
        });

        var yb = Empty(outLength, 1);
        var ib = Empty(outLength, 2);
        Backend.MaxPool2D(g, With(x, 3), 3, yb, 1, ib, 2);
        Assert.Equal(y, Read(yb, 1, outLength));
        Assert.Equal(index, Read(ib, 2, outLength));
        AssertGuards(yb, 1, outLength, name);
        var dxb = Empty(inLength, 4);
        Backend.MaxPool2DBackward(g, With(dy, 1), 1, ib, 2, dxb, 4);
        TestData.AssertClose(dx, Read(dxb, 4, inLength), 1e-6, name);
        AssertGuards(dxb, 4, inLength, name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Average_pooling_matches_direct_loops(string name)
    {
        var g = Geometry(Cases[name]);
        int inLength = g.Batch * g.InChannels * g.InPlane, outLength = g.Batch * g.InChannels * g.OutPlane;
        var x = TestData.Uniform(inLength, name.Length, -2, 2);
        var dy = TestData.Uniform(outLength, 6, -1, 1);
        var y = new float[outLength];
        var dx = new double[inLength];
        double area = g.KernelHeight * g.KernelWidth;
        ForEachWindow(g, (o, taps) =>
        {
            y[o] = (float)(taps.Sum(t => (double)x[t]) / area);
            foreach (int t in taps) dx[t] += dy[o] / area;
        });
        var yb = Empty(outLength, 2);
        Backend.AvgPool2D(g, With(x, 1), 1, yb, 2);
        TestData.AssertClose(y, Read(yb, 2, outLength), 1e-5, name);
        AssertGuards(yb, 2, outLength, name);
        var dxb = Empty(inLength, 3);
        Backend.AvgPool2DBackward(g, With(dy, 2), 2, dxb, 3);
        TestData.AssertClose([.. dx.Select(v => (float)v)], Read(dxb, 3, inLength), 1e-5, name);
        AssertGuards(dxb, 3, inLength, name);
    }

    [Fact]
    public void Max_pooling_2x2_of_wide_rows_takes_NaN_and_the_first_maximum_as_the_narrow_path_does()
    {
        // 2×2 stride 2 over rows of 38: 16 outputs through the vector path, 3 through the scalar one.
        var g = new ConvGeometry(1, 2, 4, 38, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, 2, 19);
        var x = TestData.Uniform(2 * 4 * 38, 9, 0, 3).Select((v, i) => i % 11 == 3 ? float.NaN : MathF.Floor(v)).ToArray();
        var yb = Empty(76, 0);
        var ib = Empty(76, 0);
        Backend.MaxPool2D(g, With(x, 0), 0, yb, 0, ib, 0);
        var y = Read(yb, 0, 76);
        var index = Read(ib, 0, 76);
        for (int q = 0, o = 0; q < 2; q++)
            for (int p = 0; p < 2; p++)
                for (int r = 0; r < 19; r++, o++)
                {
                    int[] taps = [2 * p * 38 + 2 * r, 2 * p * 38 + 2 * r + 1, (2 * p + 1) * 38 + 2 * r, (2 * p + 1) * 38 + 2 * r + 1];
                    int best = taps[0];
                    foreach (int t in taps[1..])
                        if (x[q * 152 + t] > x[q * 152 + best] || float.IsNaN(x[q * 152 + t])) best = t;
                    Assert.Equal(best, (int)index[o]);
                    Assert.Equal(x[q * 152 + best], y[o]);
                }
    }

    [Fact]
    public void Max_pooling_propagates_NaN()
    {
        var g = new ConvGeometry(1, 1, 2, 2, 1, 1, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1);
        var yb = Empty(1, 0);
        var ib = Empty(1, 0);
        Backend.MaxPool2D(g, With([1f, float.NaN, 3f, 2f], 0), 0, yb, 0, ib, 0);
        Assert.True(float.IsNaN(Read(yb, 0, 1)[0]));
        Assert.Equal(1f, Read(ib, 0, 1)[0]);
    }
}
