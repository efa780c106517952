using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// A convolution as matrix products over a chunk of images at once (a few large products instead of one per image or
// one thread per weight): the patches of the chunk's n images go into the columns of cols [C·kh·kw, n·OH·OW], rows
// channel-major then tap, so group g's rows are one contiguous block of Cg·kh·kw rows, and W [O, Cg, kh, kw] is G
// matrices W_g [Og, Cg·kh·kw] one after another. Every product is then one strided-batched GEMM over the groups
// (batch G; ungrouped is G = 1):
//   forward  Y'_g    = W_g · cols_g           [Og, n·OH·OW], then reordered to y [N, O, OH, OW] with bias and ReLU;
//   dw_g     = dy'_g · cols_gᵀ                with dy' = dy reordered to [O, n·OH·OW];
//   dx       = col2im(dcols), dcols_g = W_gᵀ · dy'_g   each input element gathers the column entries that read it.
// dw is a short, wide sum (K = n·OH·OW): one product per group would give a GPU a few blocks that each walk every
// column. So cols and dy' for dw are laid out in slices of whole images, [slices][rows][columns of the slice], the
// partial sums are one product batched over slices × groups, and a product with ones adds the slices up.
// Narrow groups (depthwise) run as direct kernels instead, and dbias is a group reduction per channel for every
// convolution (IlgpuBackend.Conv.cs says why). On CUDA the products run on cuBLAS (cublasSgemmStridedBatched). cols is
// as large for a grouped convolution as for an ungrouped one with as many input channels, so images go in chunks that keep each scratch matrix under
// ConvScratchFloats; dw accumulates over the chunks (β = 1 after the first). A batch that fits is one chunk, so
// the launch count does not grow with the batch. Scratch comes from the caching allocator and goes back to it after the
// launches are queued: every launch is on the one stream, so a later user of the memory runs after them.
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>? _im2col, _col2im, _toChannelsFirst;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _fromChannelsFirst;

    /// <summary>
    /// The most floats one convolution scratch matrix (cols, or the product) may hold: 2^26 (256 MiB). The products stay
    /// large enough to fill a GPU (a chunk has ≥ 2^26 / (C·kh·kw) columns), and the scratch stays bounded whatever the
    /// batch. Settable so tests can force several chunks on small inputs.
    /// </summary>
    internal int ConvScratchFloats { get; set; } = 1 << 26;

    /// <summary>
    /// The fewest columns (output pixels) a slice of the batch sum for dw holds: 1024, so each block of a
    /// product walks a short sum while the slices keep a GPU busy. Settable so tests can slice small batches.
    /// </summary>
    internal int ConvSliceColumns { get; set; } = 1024;

    /// <summary>Images per chunk: as many as keep cols [C·kh·kw, n·OH·OW] and the product [O, n·OH·OW] under the budget, at least one.</summary>
    private int ImagesPerChunk(in ConvGeometry g, string op)
    {
        long perImage = Math.Max((long)g.InChannels * g.KernelHeight * g.KernelWidth, g.OutChannels) * g.OutPlane;
        // The kernels index a chunk's scratch by int; the CPU backend holds an image's columns in one array, so it has the same limit.
        if (perImage > int.MaxValue)
            throw new ArgumentException(
                $"ILGPU backend {op}: one image's column matrix ({perImage} floats) exceeds {int.MaxValue} elements; geometry {g}", nameof(g));
        return (int)Math.Clamp(ConvScratchFloats / perImage, 1, Math.Max(1, g.Batch));
    }

    private void Conv2DAsGemm(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset)
    {
        int per = ImagesPerChunk(g, nameof(Conv2D));
        int groups = g.Groups, og = g.GroupOutChannels, patch = g.GroupPatch, most = per * g.OutPlane;
        var cols = Allocate(groups * patch * most);
        var product = Allocate(g.OutChannels * most);
        for (int n0 = 0; n0 < g.Batch; n0 += per)
        {
            var c = g with { Batch = Math.Min(per, g.Batch - n0) };
            int columns = c.Batch * c.OutPlane;
            Im2Col(c, x, xOffset + n0 * g.InChannels * g.InPlane, cols, c.Batch);
            Gemm(false, false, og, columns, patch, 1f, w, wOffset, patch, (long)og * patch, cols, 0, columns, (long)patch * columns,
                0f, product, 0, columns, (long)og * columns, groups);
            // Slots: X = product, Bias = bias, Y = y. An absent bias is replaced by the product's view and never read.
            var p = new ConvArgs(c) { Bias = biasOffset, Y = yOffset + n0 * g.OutChannels * g.OutPlane, Flags = (bias is null ? 0 : 1) | (relu ? 2 : 0) };
            (_fromChannelsFirst ??= Load(nameof(FromChannelsFirstKernel),
                a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(FromChannelsFirstKernel)))(
                LaunchStream, g.OutChannels * columns, View(product), View(bias ?? product), View(y), p);
        }
        cols.Release();
        product.Release();
    }

    private void Conv2DBackwardAsGemm(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer dy, int dyOffset,
        DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset)
    {
        int chunk = ImagesPerChunk(g, nameof(Conv2DBackward));
        int groups = g.Groups, og = g.GroupOutChannels, patch = g.GroupPatch, o = g.OutChannels, plane = g.OutPlane;
        // The largest chunk's slices; a smaller last chunk has no more. Its padded columns bound every chunk's.
        int per = dw is not null ? ImagesPerSlice(g, chunk) : chunk, most = (chunk + per - 1) / per;
        int columns0 = checked(most * per * plane);
        var dyS = Allocate(checked(o * columns0));
        var dyPlain = dx is not null && dw is not null && most > 1 ? Allocate(o * chunk * plane) : null;
        // One matrix serves cols (for dw) and then dcols (for dx): the stream runs dw's product before dcols overwrites it.
        var cols = Allocate(checked(groups * patch * columns0));
        DeviceBuffer? dwPart = null, ones = null;
        if (dw is not null && most > 1)
        {
            dwPart = Allocate(checked(most * o * patch));
            ones = Allocate(most);
            Fill(ones, 0, most, 1f);
        }
        for (int n0 = 0; n0 < g.Batch; n0 += chunk)
        {
            var c = g with { Batch = Math.Min(chunk, g.Batch - n0) };
            int xAt = xOffset + n0 * g.InChannels * g.InPlane, dyAt = dyOffset + n0 * o * plane;
            int split = Math.Min(per, c.Batch), slices = (c.Batch + split - 1) / split, k = split * plane;
            if (dw is not null)
            {
                // Slices of the batch are separate products (batch slices·G), so the sum over the batch runs in parallel
                // instead of each block walking every column; a product with ones then adds up the slices' partial sums.
                // The first chunk writes dw, later ones add to it.
                float beta = n0 == 0 ? 0f : 1f;
                Reorder(c, dy, dyAt, dyS, split);
                Im2Col(c, x, xAt, cols, split);
                Gemm(false, true, og, patch, k, 1f, dyS, 0, k, (long)og * k, cols, 0, k, (long)patch * k,
                    slices == 1 ? beta : 0f, slices == 1 ? dw : dwPart!, slices == 1 ? dwOffset : 0, patch, (long)og * patch, slices * groups);
                if (slices > 1)
                    Gemm(false, false, 1, o * patch, slices, 1f, ones!, 0, slices, 0, dwPart!, 0, o * patch, 0, beta, dw, dwOffset, o * patch, 0, 1);
            }
            if (dx is not null)
            {
                int columns = c.Batch * plane;
                // dcols needs each group's dy' whole, [Og, n·OH·OW]: the sliced layout is that only with one slice.
                var dyT = dw is not null && slices == 1 ? dyS : dyPlain ?? dyS;
                if (dw is null || slices > 1) Reorder(c, dy, dyAt, dyT, c.Batch);
                Gemm(true, false, patch, columns, og, 1f, w, wOffset, patch, (long)og * patch, dyT, 0, columns, (long)og * columns,
                    0f, cols, 0, columns, (long)patch * columns, groups);
                // Slots: X = dx.
                (_col2im ??= Load(nameof(Col2ImKernel),
                    a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(Col2ImKernel)))(
                    LaunchStream, c.Batch * g.InChannels * g.InPlane, View(cols), View(dx), new ConvArgs(c) { X = dxOffset + n0 * g.InChannels * g.InPlane });
            }
        }
        foreach (var b in new[] { dyS, dyPlain, cols, dwPart, ones }) b?.Release();
    }

    /// <summary>
    /// Images per slice of the batch sum for dw: whole images, at least <see cref="ConvSliceColumns"/> columns each (enough
    /// work per product), with the partial weight gradients of all slices under the scratch budget, slices × groups
    /// within a grid's z extent (65535 on CUDA, where the tiled GEMM puts its batch), and the chunk shared evenly so
    /// the last slice's zero padding is less than one image per slice.
    /// </summary>
    private int ImagesPerSlice(in ConvGeometry g, int chunk)
    {
        long least = Math.Min(chunk, ((long)ConvSliceColumns + g.OutPlane - 1) / g.OutPlane);
        long maxSlices = Math.Max(1, Math.Min(ConvScratchFloats / ((long)g.OutChannels * g.GroupPatch), 65535 / g.Groups));
        long slices = Math.Max(1, chunk / Math.Max(least, (chunk + maxSlices - 1) / maxSlices));
        return (int)((chunk + slices - 1) / slices);
    }

    /// <summary>dy (slot X) reordered to dy' [slices][O][split·OH·OW].</summary>
    private void Reorder(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer dyT, int split)
    {
        int slices = (g.Batch + split - 1) / split;
        (_toChannelsFirst ??= Load(nameof(ToChannelsFirstKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(ToChannelsFirstKernel)))(
            LaunchStream, g.OutChannels * slices * split * g.OutPlane, View(dy), View(dyT), new ConvArgs(g) { X = dyOffset, Split = split });
    }

    /// <summary>cols [slices][C·kh·kw][split·OH·OW] of x (slot X) into <paramref name="cols"/>, zero where a tap falls in the padding.</summary>
    private void Im2Col(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer cols, int split)
    {
        int slices = (g.Batch + split - 1) / split;
        int total = g.InChannels * g.KernelHeight * g.KernelWidth * slices * split * g.OutPlane;
        (_im2col ??= Load(nameof(Im2ColKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(Im2ColKernel)))(
            LaunchStream, total, View(x), View(cols), new ConvArgs(g) { X = xOffset, Split = split });
    }

    internal static void Im2ColKernel(Index1D i, ArrayView<float> x, ArrayView<float> cols, ConvArgs p)
    {
        int plane = p.Oh * p.Ow, kk = p.Kh * p.Kw, slice = p.Split * plane, block = p.C * kk * slice;
        int s = i / block, j = i - s * block;
        int row = j / slice, q = j - row * slice;
        int m = q / plane, r = q - m * plane, n = s * p.Split + m;
        int oy = r / p.Ow, ox = r - oy * p.Ow;
        int c = row / kk, t = row - c * kk;
        int ki = t / p.Kw, kj = t - ki * p.Kw;
        int iy = oy * p.Sh - p.Pt + ki * p.Dh, ix = ox * p.Sw - p.Pl + kj * p.Dw;
        cols[i] = n < p.N && iy >= 0 && iy < p.H && ix >= 0 && ix < p.W ? x[p.X + ((n * p.C + c) * p.H + iy) * p.W + ix] : 0f;
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

    /// <summary>dy' [slices][O][Split·OH·OW] (the plain [O, N·OH·OW] when Split = N) from dy [N, O, OH, OW] (slot X).</summary>
    internal static void ToChannelsFirstKernel(Index1D i, ArrayView<float> dy, ArrayView<float> dyT, ConvArgs p)
    {
        int plane = p.Oh * p.Ow, slice = p.Split * plane, block = p.O * slice;
        int s = i / block, j = i - s * block;
        int o = j / slice, q = j - o * slice;
        int m = q / plane, r = q - m * plane, n = s * p.Split + m;
        dyT[i] = n < p.N ? dy[p.X + (n * p.O + o) * plane + r] : 0f;
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
