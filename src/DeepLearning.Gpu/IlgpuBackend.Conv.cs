using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// Convolutions run as im2col + strided-batched GEMM (IlgpuBackend.ConvGemm.cs), except narrow groups (depthwise, or a
// few channels per group), which run as direct kernels. A narrow group's products are slivers: depthwise forward is a
// 1 × 9 by 9 × N·OH·OW product per channel, so the tiled GEMM computes a 64-row block for one useful row and im2col
// writes every input nine times, while a thread per output reads its nine inputs once; dw is a 1 × 9 result per
// channel summed over the whole batch, which a group of threads per weight reduces in parallel. PyTorch's native CUDA
// depthwise kernels are direct for the same reasons. On PoCL (a CPU, so only a hint) the products took 16× (forward)
// and 5× (backward) as long as these kernels for a 32-channel depthwise 3×3 on 64 images of 32×32. dbias is a group
// reduction per channel for every convolution. Conv1D (height 1) and the transposed convolution (Conv2DBackward run
// forwards) take the same paths.
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _convForward;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _convInputGrad;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _convWeightGrad;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ConvArgs>? _convBiasGrad;

    // The CPU backend's checks, so both refuse the same geometries.
    private static void CheckGeometry(in ConvGeometry g, string op)
    {
        if (g.Batch < 0 || g.InChannels <= 0 || g.OutChannels <= 0 || g.Groups <= 0 || g.InChannels % g.Groups != 0
            || g.OutChannels % g.Groups != 0 || g.KernelHeight <= 0 || g.KernelWidth <= 0 || g.StrideH <= 0 || g.StrideW <= 0
            || g.DilationH <= 0 || g.DilationW <= 0 || g.PadTop < 0 || g.PadLeft < 0 || g.OutHeight <= 0 || g.OutWidth <= 0)
            throw new ArgumentException($"ILGPU backend {op}: invalid convolution geometry {g}", nameof(g));
    }

    /// <summary>
    /// Whether a convolution runs as direct kernels: groups of at most 8 input and 8 output channels. A guess from PoCL
    /// and the products' shapes (a GEMM block is 64 rows); GPU timings should place it.
    /// </summary>
    private static bool Direct(in ConvGeometry g) => g.Groups > 1 && g.GroupInChannels <= 8 && g.GroupOutChannels <= 8;

    /// <inheritdoc/>
    public void Conv2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset)
    {
        CheckGeometry(g, nameof(Conv2D));
        if (g.Batch == 0) return;
        if (!Direct(g))
        {
            Conv2DAsGemm(g, x, xOffset, w, wOffset, bias, biasOffset, relu, y, yOffset);
            return;
        }
        var p = new ConvArgs(g) { X = xOffset, Wt = wOffset, Bias = biasOffset, Y = yOffset, Flags = (bias is null ? 0 : 1) | (relu ? 2 : 0) };
        // An absent bias is replaced by x's view; its flag is clear, so it is never read.
        (_convForward ??= Load(nameof(ConvForwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(ConvForwardKernel)))(
            LaunchStream, checked(g.Batch * g.OutChannels * g.OutPlane), View(x), View(w), View(bias ?? x), View(y), p);
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
        if (g.Batch == 0)
        {
            // With no images every weight's and bias's sum is empty: zero, as on the CPU; dx has no elements.
            if (dw is not null) Fill(dw, dwOffset, g.OutChannels * g.GroupPatch, 0f);
            if (dbias is not null) Fill(dbias, dbiasOffset, g.OutChannels, 0f);
            return;
        }
        int groupSize = WideGroups ? 256 : 16;
        if (!Direct(g))
        {
            // First, so a geometry the products refuse throws before anything is queued.
            if (dx is not null || dw is not null) Conv2DBackwardAsGemm(g, x, xOffset, w, wOffset, dy, dyOffset, dx, dxOffset, dw, dwOffset);
        }
        else
        {
            if (dx is not null)
            {
                // Slots: X = dx, Wt = w, Y = dy.
                (_convInputGrad ??= Load(nameof(ConvInputGradKernel),
                    a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(ConvInputGradKernel)))(
                    LaunchStream, checked(g.Batch * g.InChannels * g.InPlane), View(w), View(dy), View(dx),
                    new ConvArgs(g) { X = dxOffset, Wt = wOffset, Y = dyOffset });
            }
            if (dw is not null)
            {
                // Slots: X = x, Wt = dw, Y = dy.
                (_convWeightGrad ??= Load(nameof(ConvWeightGradKernel), a => WideGroups
                    ? a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(ConvWeightGradKernel<Group256>)
                    : a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(ConvWeightGradKernel<Group16>)))(
                    LaunchStream, new KernelConfig(g.OutChannels * g.GroupPatch, groupSize), View(x), View(dy), View(dw),
                    new ConvArgs(g) { X = xOffset, Wt = dwOffset, Y = dyOffset });
            }
        }
        if (dbias is not null)
        {
            // Slots: Bias = dbias, Y = dy.
            (_convBiasGrad ??= Load(nameof(ConvBiasGradKernel), a => WideGroups
                ? a.LoadKernel<ArrayView<float>, ArrayView<float>, ConvArgs>(ConvBiasGradKernel<Group256>)
                : a.LoadKernel<ArrayView<float>, ArrayView<float>, ConvArgs>(ConvBiasGradKernel<Group16>)))(
                LaunchStream, new KernelConfig(g.OutChannels, groupSize), View(dy), View(dbias), new ConvArgs(g) { Bias = dbiasOffset, Y = dyOffset });
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

    /// <summary>
    /// One group per weight <c>[O, C/groups, kh, kw]</c> (written at offset Wt): its threads stride over the batch's
    /// output positions summing x·dy, then add their sums up in shared memory.
    /// </summary>
    internal static void ConvWeightGradKernel<TG>(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ConvArgs p) where TG : struct, IGroupSize
    {
        var scratch = SharedMemory.Allocate<float>(default(TG).Size);
        int i = Grid.IdxX;
        int kj = i % p.Kw, r = i / p.Kw;
        int ki = r % p.Kh;
        r /= p.Kh;
        int cg = p.Cg, ci = r % cg, o = r / cg;
        int c = o / p.Og * cg + ci;
        int plane = p.Oh * p.Ow, total = p.N * plane;
        float sum = 0f;
        for (int t = Group.IdxX; t < total; t += default(TG).Size)
        {
            int n = t / plane, q = t - n * plane;
            int oy = q / p.Ow, ox = q - oy * p.Ow;
            int iy = oy * p.Sh - p.Pt + ki * p.Dh, ix = ox * p.Sw - p.Pl + kj * p.Dw;
            if (iy >= 0 && iy < p.H && ix >= 0 && ix < p.W)
                sum += x[p.X + ((n * p.C + c) * p.H + iy) * p.W + ix] * dy[p.Y + (n * p.O + o) * plane + q];
        }
        sum = GroupReduce.All<SumR, TG>(scratch, sum);
        if (Group.IdxX == 0) dw[p.Wt + i] = sum;
    }

    /// <summary>One group per output channel (written at offset Bias): its threads stride over the batch's positions summing dy, then add up.</summary>
    internal static void ConvBiasGradKernel<TG>(ArrayView<float> dy, ArrayView<float> dbias, ConvArgs p) where TG : struct, IGroupSize
    {
        var scratch = SharedMemory.Allocate<float>(default(TG).Size);
        int o = Grid.IdxX, plane = p.Oh * p.Ow, total = p.N * plane;
        float sum = 0f;
        for (int t = Group.IdxX; t < total; t += default(TG).Size)
        {
            int n = t / plane;
            sum += dy[p.Y + (n * p.O + o) * plane + t - n * plane];
        }
        sum = GroupReduce.All<SumR, TG>(scratch, sum);
        if (Group.IdxX == 0) dbias[p.Bias + o] = sum;
    }
}
