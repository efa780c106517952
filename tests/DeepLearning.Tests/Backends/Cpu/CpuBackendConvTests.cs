using DeepLearning.Backends;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// Conv2D and its backward (panels on the GEMM kernel, or im2col + GEMM for long patches) against direct, obviously-correct loops in double, over a sweep
/// of odd shapes, strides, asymmetric paddings, dilations and groups (depthwise and pointwise included), small enough
/// to run on the calling thread and large enough to split over images; data at offsets, guard cells checked.
/// </summary>
public class CpuBackendConvTests
{
    // n, c, h, w, o, groups, kh, kw, sh, sw, top, bottom, left, right, dh, dw
    private static readonly Dictionary<string, int[]> Cases = new()
    {
        ["3x3 pad 1"] = [2, 3, 7, 6, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
        ["groups 2, asymmetric"] = [3, 4, 9, 8, 6, 2, 3, 2, 2, 1, 0, 1, 2, 0, 1, 2],
        ["pointwise"] = [2, 5, 4, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1],
        ["pointwise grouped"] = [2, 4, 3, 5, 6, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1],
        ["1x1 stride 2"] = [2, 3, 7, 7, 2, 1, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1],
        ["depthwise"] = [2, 6, 6, 7, 6, 6, 3, 3, 1, 2, 1, 1, 1, 1, 2, 1],
        ["depthwise x2"] = [1, 3, 5, 5, 6, 3, 2, 3, 1, 1, 1, 0, 1, 1, 1, 1],
        ["5x4 stride 3x2 dilated"] = [5, 2, 11, 13, 3, 1, 5, 4, 3, 2, 2, 1, 0, 3, 1, 2],
        ["kernel = input"] = [2, 2, 3, 4, 3, 1, 3, 4, 1, 1, 0, 0, 0, 0, 1, 1],
        ["1-D (height 1)"] = [3, 4, 1, 17, 5, 1, 1, 3, 1, 2, 0, 0, 2, 1, 1, 3],
        ["first layer 1 => 8"] = [3, 1, 9, 8, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
        ["first layer 1 => 5 direct, rows of 17"] = [3, 1, 21, 19, 5, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1],
        ["first layer 1 => 3 direct, rows of 4"] = [2, 1, 5, 6, 3, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1],
        ["first layer 1 => 32, parallel"] = [16, 1, 20, 20, 32, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1],
        ["parallel over images"] = [8, 16, 12, 11, 24, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
        ["parallel grouped strided"] = [9, 8, 14, 13, 16, 4, 3, 3, 2, 2, 1, 0, 0, 1, 1, 1],
        ["planes under a panel, parallel"] = [40, 16, 7, 7, 16, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1],
        ["patch too long for panels"] = [2, 240, 5, 4, 3, 1, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1],
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    internal static ConvGeometry Geometry(int[] p)
    {
        int oh = (p[2] + p[10] + p[11] - p[14] * (p[6] - 1) - 1) / p[8] + 1;
        int ow = (p[3] + p[12] + p[13] - p[15] * (p[7] - 1) - 1) / p[9] + 1;
        return new ConvGeometry(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[12], p[14], p[15], oh, ow);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_matches_direct_loops(string name)
    {
        var g = Geometry(Cases[name]);
        var (x, w, b) = Inputs(g, name.Length);
        var expected = Reference(g, x, w, b);
        foreach (bool relu in new[] { false, true })
            foreach (bool bias in new[] { false, true })
            {
                int yLength = g.Batch * g.OutChannels * g.OutPlane;
                var yb = Empty(yLength, 2);
                Backend.Conv2D(g, With(x, 3), 3, With(w, 1), 1, bias ? With(b, 4) : null, 4, relu, yb, 2);
                var want = expected.Select((v, i) => Finish(v - (bias ? 0 : b[i / g.OutPlane % g.OutChannels]), relu)).ToArray();
                TestData.AssertClose(want, Read(yb, 2, yLength), 1e-4, $"{name} relu={relu} bias={bias}");
                AssertGuards(yb, 2, yLength, name);
            }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_matches_direct_loops(string name)
    {
        var g = Geometry(Cases[name]);
        var (x, w, _) = Inputs(g, name.Length);
        var dy = TestData.Uniform(g.Batch * g.OutChannels * g.OutPlane, 77, -1, 1);
        var (dx, dw, db) = ReferenceBackward(g, x, w, dy);
        var dxb = Empty(x.Length, 1);
        var dwb = Empty(w.Length, 2);
        var dbb = Empty(g.OutChannels, 3);
        Backend.Conv2DBackward(g, With(x, 2), 2, With(w, 4), 4, With(dy, 1), 1, dxb, 1, dwb, 2, dbb, 3);
        TestData.AssertClose(dx, Read(dxb, 1, x.Length), 1e-4, $"{name} dx");
        TestData.AssertClose(dw, Read(dwb, 2, w.Length), 1e-4, $"{name} dw");
        TestData.AssertClose(db, Read(dbb, 3, g.OutChannels), 1e-4, $"{name} db");
        AssertGuards(dxb, 1, x.Length, name + " dx");
        AssertGuards(dwb, 2, w.Length, name + " dw");
        AssertGuards(dbb, 3, g.OutChannels, name + " db");

        // Each output alone (the others null) gives the same values.
        var dxOnly = Empty(x.Length, 0);
        Backend.Conv2DBackward(g, With(x, 0), 0, With(w, 0), 0, With(dy, 0), 0, dxOnly, 0, null, 0, null, 0);
        TestData.AssertClose(dx, Read(dxOnly, 0, x.Length), 1e-4, $"{name} dx alone");
        var dwOnly = Empty(w.Length, 0);
        Backend.Conv2DBackward(g, With(x, 0), 0, With(w, 0), 0, With(dy, 0), 0, null, 0, dwOnly, 0, null, 0);
        TestData.AssertClose(dw, Read(dwOnly, 0, w.Length), 1e-4, $"{name} dw alone");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Relu_gated_backward_matches_the_backward_of_the_gated_gradient(string name)
    {
        var g = Geometry(Cases[name]);
        var (x, w, _) = Inputs(g, name.Length);
        int yLength = g.Batch * g.OutChannels * g.OutPlane;
        var dy = TestData.Uniform(yLength, 78, -1, 1);
        // A stand-in for the forward's ReLU output: about half the entries zero (gate closed), the rest positive.
        var y = TestData.Uniform(yLength, 79, -1, 1).Select(v => Math.Max(v, 0f)).ToArray();
        var gated = dy.Select((v, i) => y[i] > 0 ? v : 0f).ToArray();
        var (dx, dw, db) = ReferenceBackward(g, x, w, gated);
        foreach (bool withDx in new[] { true, false })
        {
            var dxb = Empty(x.Length, 1);
            var dwb = Empty(w.Length, 2);
            var dbb = Empty(g.OutChannels, 3);
            Backend.Conv2DBackward(g, With(x, 2), 2, With(w, 4), 4, With(y, 3), 3, With(dy, 1), 1, withDx ? dxb : null, 1, dwb, 2, dbb, 3);
            if (withDx) TestData.AssertClose(dx, Read(dxb, 1, x.Length), 1e-4, $"{name} dx");
            TestData.AssertClose(dw, Read(dwb, 2, w.Length), 1e-4, $"{name} dw (dx {withDx})");
            TestData.AssertClose(db, Read(dbb, 3, g.OutChannels), 1e-4, $"{name} db (dx {withDx})");
            AssertGuards(dwb, 2, w.Length, name + " dw");
        }
    }

    private static float Finish(double v, bool relu) => (float)(relu && v < 0 ? 0 : v);

    private static (float[] X, float[] W, float[] B) Inputs(in ConvGeometry g, int seed) => (
        TestData.Uniform(g.Batch * g.InChannels * g.InPlane, seed, -1, 1),
        TestData.Uniform(g.OutChannels * g.GroupPatch, seed + 1, -1, 1),
        TestData.Uniform(g.OutChannels, seed + 2, -1, 1));

    /// <summary>Calls <paramref name="tap"/>(x index, w index, y index) for every multiply of the convolution, padding skipped.</summary>
    internal static void ForEachTap(in ConvGeometry g, Action<int, int, int> tap)
    {
        int cg = g.GroupInChannels, og = g.GroupOutChannels;
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int p = 0; p < g.OutHeight; p++)
                    for (int q = 0; q < g.OutWidth; q++)
                        for (int c = 0; c < cg; c++)
                            for (int i = 0; i < g.KernelHeight; i++)
                                for (int j = 0; j < g.KernelWidth; j++)
                                {
                                    int iy = p * g.StrideH - g.PadTop + i * g.DilationH, ix = q * g.StrideW - g.PadLeft + j * g.DilationW;
                                    if (iy < 0 || iy >= g.Height || ix < 0 || ix >= g.Width) continue;
                                    int xc = o / og * cg + c;
                                    tap(((n * g.InChannels + xc) * g.Height + iy) * g.Width + ix,
                                        ((o * cg + c) * g.KernelHeight + i) * g.KernelWidth + j,
                                        ((n * g.OutChannels + o) * g.OutHeight + p) * g.OutWidth + q);
                                }
    }

    private static double[] Reference(ConvGeometry g, float[] x, float[] w, float[] b)
    {
        var y = new double[g.Batch * g.OutChannels * g.OutPlane];
        for (int i = 0; i < y.Length; i++) y[i] = b[i / g.OutPlane % g.OutChannels];
        ForEachTap(g, (xi, wi, yi) => y[yi] += (double)x[xi] * w[wi]);
        return y;
    }

    private static (float[] Dx, float[] Dw, float[] Db) ReferenceBackward(ConvGeometry g, float[] x, float[] w, float[] dy)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[g.OutChannels];
        ForEachTap(g, (xi, wi, yi) =>
        {
            dx[xi] += (double)w[wi] * dy[yi];
            dw[wi] += (double)x[xi] * dy[yi];
        });
        for (int i = 0; i < dy.Length; i++) db[i / g.OutPlane % g.OutChannels] += dy[i];
        static float[] F(double[] a) => [.. a.Select(v => (float)v)];
        return (F(dx), F(dw), F(db));
    }
}
