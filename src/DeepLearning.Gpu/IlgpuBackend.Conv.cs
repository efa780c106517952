using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// Ungrouped convolutions are lowered to matrix products (IlgpuBackend.ConvGemm.cs), which run on cuBLAS on CUDA.
// Grouped ones (depthwise included) run as direct kernels, one thread per element of what is written: the forward
// pass per output, dx per input element (gathering over the output positions whose windows read it), dw per weight and
// dbias per channel (summing over the batch and the positions). Every thread owns its result, so no atomics are needed
// and the sums do not depend on scheduling.
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _convForward;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _convInputGrad;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _convWeightGrad;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>? _convBiasGrad;

    // The CPU backend's checks, so both refuse the same geometries.
    private static void CheckGeometry(in ConvGeometry g, string op)
    {
        if (g.Batch < 0 || g.InChannels <= 0 || g.OutChannels <= 0 || g.Groups <= 0 || g.InChannels % g.Groups != 0
            || g.OutChannels % g.Groups != 0 || g.KernelHeight <= 0 || g.KernelWidth <= 0 || g.StrideH <= 0 || g.StrideW <= 0
            || g.DilationH <= 0 || g.DilationW <= 0 || g.PadTop < 0 || g.PadLeft < 0 || g.OutHeight <= 0 || g.OutWidth <= 0)
            throw new ArgumentException($"ILGPU backend {op}: invalid convolution geometry {g}", nameof(g));
    }

    /// <inheritdoc/>
    public void Conv2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset)
    {
        CheckGeometry(g, nameof(Conv2D));
        long total = (long)g.Batch * g.OutChannels * g.OutPlane;
        if (total <= 0) return;
        if (Lowered(g))
        {
            Conv2DAsGemm(g, x, xOffset, w, wOffset, bias, biasOffset, relu, y, yOffset);
            return;
        }
        var p = new ConvArgs(g) { X = xOffset, Wt = wOffset, Bias = biasOffset, Y = yOffset, Flags = (bias is null ? 0 : 1) | (relu ? 2 : 0) };
        // An absent bias is replaced by x's view; its flag is clear, so it is never read.
        (_convForward ??= Load(nameof(ConvForwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(ConvForwardKernel)))(
            LaunchStream, checked((int)total), View(x), View(w), View(bias ?? x), View(y), p);
    }

    /// <summary>One thread per output element of <c>[N, O, OH, OW]</c>: the window over the group's input channels, then bias and ReLU.</summary>
    internal static void ConvForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y, ConvArgs p)
    {
        int ox = i % p.Ow, r = i / p.Ow;
        int oy = r % p.Oh;
        r /= p.Oh;
        int o = r % p.O, n = r / p.O;
        int cg = p.Cg, c0 = o / p.Og * cg;
        int y0 = oy * p.Sh - p.Pt, x0 = ox * p.Sw - p.Pl;
        float sum = 0f;
        for (int ci = 0; ci < cg; ci++)
        {
            int xPlane = p.X + (n * p.C + c0 + ci) * p.H * p.W;
            int wRow = p.Wt + (o * cg + ci) * p.Kh * p.Kw;
            for (int ki = 0; ki < p.Kh; ki++)
            {
                int iy = y0 + ki * p.Dh;
                if (iy < 0 || iy >= p.H) continue;
                for (int kj = 0; kj < p.Kw; kj++)
                {
                    int ix = x0 + kj * p.Dw;
                    if (ix < 0 || ix >= p.W) continue;
                    sum += w[wRow + ki * p.Kw + kj] * x[xPlane + iy * p.W + ix];
                }
            }
        }
        if ((p.Flags & 1) != 0) sum += bias[p.Bias + o];
        // The CPU's max(v, 0): NaN stays NaN.
        if ((p.Flags & 2) != 0 && sum < 0f) sum = 0f;
        y[p.Y + i] = sum;
    }

    /// <inheritdoc/>
    public void Conv2DBackward(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer dy, int dyOffset,
        DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset)
    {
        CheckGeometry(g, nameof(Conv2DBackward));
        if (Lowered(g) && g.Batch > 0)
        {
            Conv2DBackwardAsGemm(g, x, xOffset, w, wOffset, dy, dyOffset, dx, dxOffset, dw, dwOffset, dbias, dbiasOffset);
            return;
        }
        if (dx is not null && g.Batch > 0)
        {
            // Slots: X = dx, Wt = w, Y = dy.
            var p = new ConvArgs(g) { X = dxOffset, Wt = wOffset, Y = dyOffset };
            (_convInputGrad ??= Load(nameof(ConvInputGradKernel),
                a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(ConvInputGradKernel)))(
                LaunchStream, checked(g.Batch * g.InChannels * g.InPlane), View(w), View(dy), View(dx), p);
        }
        if (dw is not null)
        {
            // Slots: X = x, Wt = dw, Y = dy. With no images every weight's sum is empty: zero.
            var p = new ConvArgs(g) { X = xOffset, Wt = dwOffset, Y = dyOffset };
            (_convWeightGrad ??= Load(nameof(ConvWeightGradKernel),
                a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(ConvWeightGradKernel)))(
                LaunchStream, checked(g.OutChannels * g.GroupPatch), View(x), View(dy), View(dw), p);
        }
        if (dbias is not null)
        {
            // Slots: Bias = dbias, Y = dy.
            var p = new ConvArgs(g) { Bias = dbiasOffset, Y = dyOffset };
            (_convBiasGrad ??= Load(nameof(ConvBiasGradKernel),
                a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(ConvBiasGradKernel)))(
                LaunchStream, g.OutChannels, View(dy), View(dbias), p);
        }
    }

    /// <summary>
    /// One thread per element of dx <c>[N, C, H, W]</c> (written at offset X): for each output channel of its group and
    /// each tap, the output position whose window puts that tap on this element, if any.
    /// </summary>
    internal static void ConvInputGradKernel(Index1D i, ArrayView<float> w, ArrayView<float> dy, ArrayView<float> dx, ConvArgs p)
    {
        int ix = i % p.W, r = i / p.W;
        int iy = r % p.H;
        r /= p.H;
        int c = r % p.C, n = r / p.C;
        int cg = p.Cg, og = p.Og, grp = c / cg, ci = c - grp * cg;
        float sum = 0f;
        for (int oo = 0; oo < og; oo++)
        {
            int o = grp * og + oo;
            int dyPlane = p.Y + (n * p.O + o) * p.Oh * p.Ow;
            int wRow = p.Wt + (o * cg + ci) * p.Kh * p.Kw;
            for (int ki = 0; ki < p.Kh; ki++)
            {
                int oy = ConvArgs.OutputOf(iy, ki, p.Pt, p.Sh, p.Dh, p.Oh);
                if (oy < 0) continue;
                for (int kj = 0; kj < p.Kw; kj++)
                {
                    int ox = ConvArgs.OutputOf(ix, kj, p.Pl, p.Sw, p.Dw, p.Ow);
                    if (ox < 0) continue;
                    sum += w[wRow + ki * p.Kw + kj] * dy[dyPlane + oy * p.Ow + ox];
                }
            }
        }
        dx[p.X + i] = sum;
    }

    /// <summary>One thread per weight <c>[O, C/groups, kh, kw]</c> (written at offset Wt): Σ over images and output positions of x·dy.</summary>
    internal static void ConvWeightGradKernel(Index1D i, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ConvArgs p)
    {
        int kj = i % p.Kw, r = i / p.Kw;
        int ki = r % p.Kh;
        r /= p.Kh;
        int cg = p.Cg, ci = r % cg, o = r / cg;
        int c = o / p.Og * cg + ci;
        float sum = 0f;
        for (int n = 0; n < p.N; n++)
        {
            int xPlane = p.X + (n * p.C + c) * p.H * p.W;
            int dyPlane = p.Y + (n * p.O + o) * p.Oh * p.Ow;
            for (int oy = 0; oy < p.Oh; oy++)
            {
                int iy = oy * p.Sh - p.Pt + ki * p.Dh;
                if (iy < 0 || iy >= p.H) continue;
                for (int ox = 0; ox < p.Ow; ox++)
                {
                    int ix = ox * p.Sw - p.Pl + kj * p.Dw;
                    if (ix < 0 || ix >= p.W) continue;
                    sum += x[xPlane + iy * p.W + ix] * dy[dyPlane + oy * p.Ow + ox];
                }
            }
        }
        dw[p.Wt + i] = sum;
    }

    /// <summary>One thread per output channel (written at offset Bias): Σ dy over images and positions.</summary>
    internal static void ConvBiasGradKernel(Index1D o, ArrayView<float> dy, ArrayView<float> dbias, ConvArgs p)
    {
        int plane = p.Oh * p.Ow;
        float sum = 0f;
        for (int n = 0; n < p.N; n++)
        {
            int at = p.Y + (n * p.O + o) * plane;
            for (int t = 0; t < plane; t++) sum += dy[at + t];
        }
        dbias[p.Bias + o] = sum;
    }
}
