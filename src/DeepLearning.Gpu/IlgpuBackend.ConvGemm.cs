using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// An ungrouped convolution as matrix products over the whole batch at once (one large product instead of one per image
// or per weight): the patches of every image go into the columns of cols [C·kh·kw, N·OH·OW], so
//   forward  Y' = W · cols                  [O, N·OH·OW], then reordered to y [N, O, OH, OW] with bias and ReLU;
//   dw       = dy' · colsᵀ                  with dy' = dy reordered to [O, N·OH·OW];
//   dbias    = dy' · 1                      (a product with a ones vector: a row sum on the GEMM engine);
//   dx       = col2im(Wᵀ · dy')             each input element gathers the column entries that read it.
// On CUDA the products run on cuBLAS. Scratch comes from the caching allocator and goes back to it after the launches
// are queued: every launch is on the one stream, so a later user of the memory runs after them.
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>? _im2col, _col2im, _toChannelsFirst;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _fromChannelsFirst;

    /// <summary>Whether <paramref name="g"/> runs as matrix products: ungrouped, with every scratch matrix indexable by int.</summary>
    private static bool Lowered(in ConvGeometry g) =>
        g.Groups == 1
        && (long)g.InChannels * g.KernelHeight * g.KernelWidth * g.Batch * g.OutPlane <= int.MaxValue
        && (long)g.OutChannels * g.Batch * g.OutPlane <= int.MaxValue;

    private void Conv2DAsGemm(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset)
    {
        int patch = g.InChannels * g.KernelHeight * g.KernelWidth, columns = g.Batch * g.OutPlane;
        var cols = Im2Col(g, x, xOffset);
        var product = Allocate(g.OutChannels * columns);
        Gemm(false, false, g.OutChannels, columns, patch, 1f, w, wOffset, patch, 0, cols, 0, columns, 0, 0f, product, 0, columns, 0, 1);
        // Slots: X = product, Bias = bias, Y = y. An absent bias is replaced by the product's view and never read.
        var p = new ConvArgs(g) { Bias = biasOffset, Y = yOffset, Flags = (bias is null ? 0 : 1) | (relu ? 2 : 0) };
        (_fromChannelsFirst ??= Load(nameof(FromChannelsFirstKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(FromChannelsFirstKernel)))(
            LaunchStream, g.OutChannels * columns, View(product), View(bias ?? product), View(y), p);
        cols.Release();
        product.Release();
    }

    private void Conv2DBackwardAsGemm(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer dy, int dyOffset,
        DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset)
    {
        int patch = g.InChannels * g.KernelHeight * g.KernelWidth, columns = g.Batch * g.OutPlane;
        // dy' [O, N·OH·OW]: slots X = dy, Y = dy'.
        var dyT = Allocate(g.OutChannels * columns);
        (_toChannelsFirst ??= Load(nameof(ToChannelsFirstKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(ToChannelsFirstKernel)))(
            LaunchStream, g.OutChannels * columns, View(dy), View(dyT), new ConvArgs(g) { X = dyOffset });
        if (dw is not null)
        {
            var cols = Im2Col(g, x, xOffset);
            Gemm(false, true, g.OutChannels, patch, columns, 1f, dyT, 0, columns, 0, cols, 0, columns, 0, 0f, dw, dwOffset, patch, 0, 1);
            cols.Release();
        }
        if (dbias is not null)
        {
            var ones = Allocate(columns);
            Fill(ones, 0, columns, 1f);
            Gemm(false, false, g.OutChannels, 1, columns, 1f, dyT, 0, columns, 0, ones, 0, 1, 0, 0f, dbias, dbiasOffset, 1, 0, 1);
            ones.Release();
        }
        if (dx is not null)
        {
            var dcols = Allocate(patch * columns);
            Gemm(true, false, patch, columns, g.OutChannels, 1f, w, wOffset, patch, 0, dyT, 0, columns, 0, 0f, dcols, 0, columns, 0, 1);
            // Slots: X = dx.
            (_col2im ??= Load(nameof(Col2ImKernel),
                a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(Col2ImKernel)))(
                LaunchStream, g.Batch * g.InChannels * g.InPlane, View(dcols), View(dx), new ConvArgs(g) { X = dxOffset });
            dcols.Release();
        }
        dyT.Release();
    }

    /// <summary>cols [C·kh·kw, N·OH·OW] of x (slot X), zero where a tap falls in the padding.</summary>
    private DeviceBuffer Im2Col(in ConvGeometry g, DeviceBuffer x, int xOffset)
    {
        int total = g.InChannels * g.KernelHeight * g.KernelWidth * g.Batch * g.OutPlane;
        var cols = Allocate(total);
        (_im2col ??= Load(nameof(Im2ColKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(Im2ColKernel)))(
            LaunchStream, total, View(x), View(cols), new ConvArgs(g) { X = xOffset });
        return cols;
    }

    internal static void Im2ColKernel(Index1D i, ArrayView<float> x, ArrayView<float> cols, ConvArgs p)
    {
        int plane = p.Oh * p.Ow, columns = p.N * plane;
        int row = i / columns, q = i - row * columns;
        int n = q / plane, r = q - n * plane;
        int oy = r / p.Ow, ox = r - oy * p.Ow;
        int kk = p.Kh * p.Kw, c = row / kk, t = row - c * kk;
        int ki = t / p.Kw, kj = t - ki * p.Kw;
        int iy = oy * p.Sh - p.Pt + ki * p.Dh, ix = ox * p.Sw - p.Pl + kj * p.Dw;
        cols[i] = iy >= 0 && iy < p.H && ix >= 0 && ix < p.W ? x[p.X + ((n * p.C + c) * p.H + iy) * p.W + ix] : 0f;
    }

    /// <summary>y [N, O, OH, OW] (slot Y) from the product [O, N·OH·OW], plus bias (slot Bias) and ReLU as flagged.</summary>
    internal static void FromChannelsFirstKernel(Index1D i, ArrayView<float> product, ArrayView<float> bias, ArrayView<float> y, ConvArgs p)
    {
        int plane = p.Oh * p.Ow;
        int r = i % plane, no = i / plane, o = no % p.O, n = no / p.O;
        float v = product[(o * p.N + n) * plane + r];
        if ((p.Flags & 1) != 0) v += bias[p.Bias + o];
        // The CPU's max(v, 0): NaN stays NaN.
        if ((p.Flags & 2) != 0 && v < 0f) v = 0f;
        y[p.Y + i] = v;
    }

    /// <summary>dy' [O, N·OH·OW] from dy [N, O, OH, OW] (slot X).</summary>
    internal static void ToChannelsFirstKernel(Index1D i, ArrayView<float> dy, ArrayView<float> dyT, ConvArgs p)
    {
        int plane = p.Oh * p.Ow;
        int r = i % plane, on = i / plane, n = on % p.N, o = on / p.N;
        dyT[i] = dy[p.X + (n * p.O + o) * plane + r];
    }

    /// <summary>One thread per element of dx [N, C, H, W] (slot X): the sum of the column entries whose taps read it.</summary>
    internal static void Col2ImKernel(Index1D i, ArrayView<float> dcols, ArrayView<float> dx, ConvArgs p)
    {
        int ix = i % p.W, r = i / p.W;
        int iy = r % p.H;
        r /= p.H;
        int c = r % p.C, n = r / p.C;
        int plane = p.Oh * p.Ow, columns = p.N * plane;
        float sum = 0f;
        for (int ki = 0; ki < p.Kh; ki++)
        {
            int oy = ConvArgs.OutputOf(iy, ki, p.Pt, p.Sh, p.Dh, p.Oh);
            if (oy < 0) continue;
            for (int kj = 0; kj < p.Kw; kj++)
            {
                int ox = ConvArgs.OutputOf(ix, kj, p.Pl, p.Sw, p.Dw, p.Ow);
                if (ox < 0) continue;
                sum += dcols[((c * p.Kh + ki) * p.Kw + kj) * columns + n * plane + oy * p.Ow + ox];
            }
        }
        dx[p.X + i] = sum;
    }
}
