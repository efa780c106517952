using DeepLearning.Backends;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>
/// Conv2D and its backward against the CPU (rel. 1e-4) over small geometries that each exercise one feature: stride 2
/// with asymmetric padding, dilation 2, narrow groups (direct kernels: groups 2 and 3, depthwise with stride, dilation,
/// a channel multiplier, height 1), wide groups (products), 1×1; with offsets and pre-filled outputs (all written, none
/// accumulated), null gradients left untouched, the batch split into chunks and slices, and the launches counted.
/// </summary>
public class IlgpuBackendConvTests(ITestOutputHelper output)
{
    // n, c, h, w, o, groups, kh, kw, sh, sw, padTop, padBottom, padLeft, padRight, dh, dw
    private static readonly int[][] Geometries =
    [
        [2, 3, 5, 6, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 2, 7, 6, 3, 1, 3, 2, 2, 2, 0, 2, 1, 0, 1, 1],
        [2, 2, 7, 7, 2, 1, 3, 3, 1, 1, 2, 1, 2, 2, 2, 2],
        [1, 4, 5, 5, 6, 2, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1],
        [2, 3, 5, 4, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1],
        [2, 5, 3, 4, 3, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1],
        // Grouped: groups 2 with stride, asymmetric padding and dilation; 3 groups of 2 → 2 channels; depthwise with
        // multiplier 2 and stride 2; depthwise with dilation 2; depthwise 1-D (height 1, as Conv1D sends it) — all narrow
        // groups, whose forward and dx run direct; then 2 groups of 12 channels, which run as products throughout.
        [3, 4, 6, 7, 4, 2, 3, 2, 2, 1, 1, 0, 0, 1, 2, 1],
        [2, 6, 5, 5, 6, 3, 2, 2, 1, 1, 0, 1, 0, 1, 1, 1],
        [3, 4, 7, 7, 8, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1],
        [2, 6, 6, 6, 6, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2],
        [2, 4, 1, 9, 4, 4, 1, 3, 1, 2, 0, 0, 1, 1, 1, 1],
        [2, 24, 5, 5, 24, 2, 3, 3, 2, 1, 1, 1, 0, 1, 1, 2],
    ];

    internal static ConvGeometry Geometry(int[] p)
    {
        int oh = (p[2] + p[10] + p[11] - p[14] * (p[6] - 1) - 1) / p[8] + 1;
        int ow = (p[3] + p[12] + p[13] - p[15] * (p[7] - 1) - 1) / p[9] + 1;
        return new ConvGeometry(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[12], p[14], p[15], oh, ow);
    }

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var d in Names)
            for (int k = 0; k < Geometries.Length; k++) data.Add(d, k);
        return data;
    }

    private static (int X, int W, int Y) Sizes(in ConvGeometry g) =>
        (g.Batch * g.InChannels * g.InPlane, g.OutChannels * g.GroupPatch, g.Batch * g.OutChannels * g.OutPlane);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2D_matches_the_cpu_with_and_without_bias_and_relu(string device, int k)
    {
        var g = Geometry(Geometries[k]);
        var (xs, ws, ys) = Sizes(g);
        // [y with bias and ReLU | y without either], pre-filled.
        var (cpu, gpu) = Both(Backend(device), [Random(xs + 1, 200 + k), Random(ws + 2, 210 + k), Random(g.OutChannels + 3, 220 + k)],
            Random(2 * ys + 1, 230 + k),
            (b, i, o) =>
            {
                b.Conv2D(g, i[0], 1, i[1], 2, i[2], 3, true, o, 1);
                b.Conv2D(g, i[0], 1, i[1], 2, null, 0, false, o, 1 + ys);
            });
        AssertClose(cpu, gpu, 1e-4f, $"conv2d {g}");
        Assert.Contains(gpu.AsSpan(1, ys).ToArray(), v => v == 0f);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2DBackward_matches_the_cpu(string device, int k)
    {
        var g = Geometry(Geometries[k]);
        var (xs, ws, ys) = Sizes(g);
        var gpu = Backend(device);
        int slice = gpu.ConvSliceColumns;
        try
        {
            // dw's sum over the batch in one slice (these batches are small), then in slices of one image each (products only:
            // ungrouped and wide groups).
            foreach (int columns in new[] { slice, 1 })
            {
                gpu.ConvSliceColumns = columns;
                // [dx | dw | dbias], pre-filled: all three are written, not accumulated.
                var (cpu, got) = Both(gpu, [Random(xs + 1, 240 + k), Random(ws + 2, 250 + k), Random(ys + 3, 260 + k)],
                    Random(1 + xs + ws + g.OutChannels, 270 + k),
                    (b, i, o) => b.Conv2DBackward(g, i[0], 1, i[1], 2, i[2], 3, o, 1, o, 1 + xs, o, 1 + xs + ws));
                AssertClose(cpu, got, 1e-4f, $"conv2d backward {g}, slices of ≥ {columns} columns");
            }
        }
        finally
        {
            gpu.ConvSliceColumns = slice;
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Conv2DBackward_skips_null_gradients(string device)
    {
        var g = Geometry(Geometries[3]);
        var (xs, ws, ys) = Sizes(g);
        var fill = Random(xs + ws + g.OutChannels, 280);
        // Only dw: the dx and dbias regions must keep their pre-filled values.
        var (cpu, gpu) = Both(Backend(device), [Random(xs, 281), Random(ws, 282), Random(ys, 283)], fill,
            (b, i, o) => b.Conv2DBackward(g, i[0], 0, i[1], 0, i[2], 0, null, 0, o, xs, null, 0));
        AssertClose(cpu, gpu, 1e-4f, "conv2d backward, dw only");
        Assert.Equal(fill.AsSpan(0, xs).ToArray(), gpu.AsSpan(0, xs).ToArray());
        Assert.Equal(fill.AsSpan(xs + ws).ToArray(), gpu.AsSpan(xs + ws).ToArray());
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void A_batch_split_into_chunks_and_slices_matches_the_cpu(string device)
    {
        var gpu = Backend(device);
        var (budget, slice) = (gpu.ConvScratchFloats, gpu.ConvSliceColumns);
        try
        {
            // Ungrouped, narrow groups, depthwise and wide groups on 5 images: chunks of 5, 2 (2, 2, 1: later chunks add to
            // dw) and 1 image, each with dw's sum in slices of at least 1 image, 2 (5 as 3 + 2, the last slice padded), or 5.
            // Narrow groups run direct, whatever the settings.
            foreach (int k in new[] { 0, 6, 8, 11 })
            foreach (int chunk in new[] { 5, 2, 1 })
            foreach (int per in new[] { 1, 2, 5 })
            {
                var g = Geometry(Geometries[k]) with { Batch = 5 };
                var (xs, ws, ys) = Sizes(g);
                gpu.ConvScratchFloats = chunk * Math.Max(g.InChannels * g.KernelHeight * g.KernelWidth, g.OutChannels) * g.OutPlane;
                gpu.ConvSliceColumns = per * g.OutPlane;
                var (cpu, got) = Both(gpu, [Random(xs, 300 + k), Random(ws, 310 + k), Random(g.OutChannels, 320 + k), Random(ys, 330 + k)],
                    Random(ys + xs + ws + g.OutChannels, 340 + k),
                    (b, i, o) =>
                    {
                        b.Conv2D(g, i[0], 0, i[1], 0, i[2], 0, false, o, 0);
                        b.Conv2DBackward(g, i[0], 0, i[1], 0, i[3], 0, o, ys, o, ys + xs, o, ys + xs + ws);
                    });
                AssertClose(cpu, got, 1e-4f, $"conv2d in chunks of {chunk} images, slices of {per}, {g}");
            }
        }
        finally
        {
            (gpu.ConvScratchFloats, gpu.ConvSliceColumns) = (budget, slice);
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void A_convolution_is_a_fixed_number_of_launches_whatever_the_batch(string device)
    {
        var gpu = Backend(device);
        int slice = gpu.ConvSliceColumns;
        // Slices of 2 images, so small batches (which keep the CPU accelerator's work small) show one slice and several.
        gpu.ConvSliceColumns = 2 * 16;
        try
        {
            // Depthwise, 32 channels: direct kernels, forward 1; backward dx, dw, dbias. 2 groups of 16 channels: im2col,
            // GEMM, reorder; backward reorder dy, im2col, dw GEMM, dcols GEMM, col2im, dbias, and with the sum for dw in
            // slices a ones vector, a GEMM that adds the slices up and a reorder of dy for dcols.
            foreach (var (n, groups, forward, backward) in new[]
                     { (1, 32, 1, 3), (8, 32, 1, 3), (1, 2, 3, 6), (2, 2, 3, 6), (4, 2, 3, 9), (8, 2, 3, 9) })
            {
                // 32 channels, 3×3, padding 1.
                var g = new ConvGeometry(n, 32, 4, 4, 32, groups, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4);
                var (xs, ws, ys) = Sizes(g);
                var bufs = new[] { xs, ws, g.OutChannels, ys, xs, ws, g.OutChannels }.Select(gpu.Allocate).ToArray();
                foreach (var (buf, i) in bufs.Select((b, i) => (b, i))) gpu.Upload(Random(buf.Length, 350 + i), buf, 0);
                long before = gpu.KernelLaunches;
                gpu.Conv2D(g, bufs[0], 0, bufs[1], 0, bufs[2], 0, true, bufs[3], 0);
                long launched = gpu.KernelLaunches - before;
                before = gpu.KernelLaunches;
                gpu.Conv2DBackward(g, bufs[0], 0, bufs[1], 0, bufs[3], 0, bufs[4], 0, bufs[5], 0, bufs[6], 0);
                long launchedBack = gpu.KernelLaunches - before;
                foreach (var buf in bufs) buf.Release();
                output.WriteLine($"{device} 32 channels in {groups} groups, batch {n}: forward {launched} launches, backward {launchedBack}");
                Assert.Equal(forward, launched);
                Assert.Equal(backward, launchedBack);
            }
        }
        finally
        {
            gpu.ConvSliceColumns = slice;
        }
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void An_empty_batch_zeroes_the_weight_and_bias_gradients(string device)
    {
        var g = Geometry(Geometries[8]) with { Batch = 0 };
        int ws = g.OutChannels * g.GroupPatch;
        var (cpu, gpu) = Both(Backend(device), [Random(1, 360), Random(ws, 361), Random(1, 362)], Random(ws + g.OutChannels, 363),
            (b, i, o) =>
            {
                b.Conv2D(g, i[0], 0, i[1], 0, null, 0, false, i[2], 0);
                b.Conv2DBackward(g, i[0], 0, i[1], 0, i[2], 0, null, 0, o, 0, o, ws);
            });
        Assert.Equal(cpu, gpu);
        Assert.All(gpu, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void An_image_whose_columns_exceed_int_range_is_refused_before_any_work()
    {
        // 1024 channels × 11×11 taps × 141×141 positions: 2.46e9 column entries for one image.
        var g = new ConvGeometry(1, 1024, 151, 151, 8, 1, 11, 11, 1, 1, 0, 0, 1, 1, 141, 141);
        var gpu = Backend(Names[0]);
        var buf = gpu.Allocate(4);
        long launches = gpu.KernelLaunches;
        var e = Assert.Throws<ArgumentException>(() => gpu.Conv2DBackward(g, buf, 0, buf, 0, buf, 0, buf, 0, null, 0, buf, 0));
        Assert.Contains("Conv2DBackward", e.Message, StringComparison.Ordinal);
        Assert.Contains("column matrix", e.Message, StringComparison.Ordinal);
        Assert.Equal(launches, gpu.KernelLaunches);
        buf.Release();
    }

    [Fact]
    public void An_invalid_geometry_is_refused_with_its_op_named()
    {
        var g = Geometry(Geometries[3]) with { Groups = 3 };
        var gpu = Backend(Names[0]);
        var buf = gpu.Allocate(4);
        var e = Assert.Throws<ArgumentException>(() => gpu.Conv2D(g, buf, 0, buf, 0, null, 0, false, buf, 0));
        Assert.Contains("Conv2D", e.Message, StringComparison.Ordinal);
        buf.Release();
    }
}
