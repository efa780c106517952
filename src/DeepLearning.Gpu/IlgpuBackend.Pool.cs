using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// Pooling over the N·C planes of [N, C, H, W], one thread per output for the forward passes and one per input element
// for the backward ones: an input element gathers from the windows that contain it, visited in the CPU's order (output
// positions ascending), so no atomics are needed and the sums match the CPU's scatter order.
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _maxPool;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>? _maxPoolBackward;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>? _avgPool;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>? _avgPoolBackward;

    /// <inheritdoc/>
    public void MaxPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer indices, int indicesOffset)
    {
        CheckGeometry(g, nameof(MaxPool2D));
        long total = (long)g.Batch * g.InChannels * g.OutPlane;
        if (total <= 0) return;
        // Slots: X = x, Y = y, Bias = indices.
        var p = new ConvArgs(g) { X = xOffset, Y = yOffset, Bias = indicesOffset };
        (_maxPool ??= Load(nameof(MaxPoolKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(MaxPoolKernel)))(
            LaunchStream, checked((int)total), View(x), View(y), View(indices), p);
    }

    /// <summary>
    /// One thread per output: the CPU's rule, taps in row-major window order, a tap taken when it is greater, NaN, or the
    /// first inside the plane; the index is <c>row·W + column</c> in the plane, −1 (and −∞) for a window wholly in padding.
    /// </summary>
    internal static void MaxPoolKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> indices, ConvArgs p)
    {
        int plane = p.Oh * p.Ow, q = i / plane, o = i - q * plane;
        int oy = o / p.Ow, ox = o - oy * p.Ow;
        int xPlane = p.X + q * p.H * p.W;
        float best = float.NegativeInfinity;
        int at = -1;
        for (int ki = 0; ki < p.Kh; ki++)
        {
            int iy = oy * p.Sh - p.Pt + ki * p.Dh;
            if (iy < 0 || iy >= p.H) continue;
            for (int kj = 0; kj < p.Kw; kj++)
            {
                int ix = ox * p.Sw - p.Pl + kj * p.Dw;
                if (ix < 0 || ix >= p.W) continue;
                float v = x[xPlane + iy * p.W + ix];
                if (v > best || float.IsNaN(v) || at < 0)
                {
                    best = v;
                    at = iy * p.W + ix;
                }
            }
        }
        y[p.Y + i] = best;
        indices[p.Bias + i] = at;
    }

    /// <inheritdoc/>
    public void MaxPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, DeviceBuffer dx, int dxOffset)
    {
        CheckGeometry(g, nameof(MaxPool2DBackward));
        long total = (long)g.Batch * g.InChannels * g.InPlane;
        if (total <= 0) return;
        // Slots: X = dx, Y = dy, Bias = indices.
        var p = new ConvArgs(g) { X = dxOffset, Y = dyOffset, Bias = indicesOffset };
        (_maxPoolBackward ??= Load(nameof(MaxPoolBackwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvArgs>(MaxPoolBackwardKernel)))(
            LaunchStream, checked((int)total), View(dy), View(indices), View(dx), p);
    }

    /// <summary>
    /// One thread per input element: the sum of dy over the windows that contain it and recorded it as their maximum.
    /// An index only ever names an element of its own window (as MaxPool2D writes them), so other windows need no look.
    /// </summary>
    internal static void MaxPoolBackwardKernel(Index1D i, ArrayView<float> dy, ArrayView<float> indices, ArrayView<float> dx, ConvArgs p)
    {
        int inPlane = p.H * p.W, q = i / inPlane, e = i - q * inPlane;
        int iy = e / p.W, ix = e - iy * p.W;
        int outPlane = p.Oh * p.Ow, first = q * outPlane;
        float sum = 0f;
        // Taps descending give output positions ascending: the CPU's order of adding.
        for (int ki = p.Kh - 1; ki >= 0; ki--)
        {
            int oy = ConvArgs.OutputOf(iy, ki, p.Pt, p.Sh, p.Dh, p.Oh);
            if (oy < 0) continue;
            for (int kj = p.Kw - 1; kj >= 0; kj--)
            {
                int ox = ConvArgs.OutputOf(ix, kj, p.Pl, p.Sw, p.Dw, p.Ow);
                if (ox < 0) continue;
                int o = first + oy * p.Ow + ox;
                float at = indices[p.Bias + o];
                if (at >= 0f && (int)at == e) sum += dy[p.Y + o];
            }
        }
        dx[p.X + i] = sum;
    }

    /// <inheritdoc/>
    public void AvgPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset)
    {
        CheckGeometry(g, nameof(AvgPool2D));
        long total = (long)g.Batch * g.InChannels * g.OutPlane;
        if (total <= 0) return;
        var p = new ConvArgs(g) { X = xOffset, Y = yOffset };
        (_avgPool ??= Load(nameof(AvgPoolKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(AvgPoolKernel)))(
            LaunchStream, checked((int)total), View(x), View(y), p);
    }

    /// <summary>One thread per output: the window sum (padding as zeros) times <c>1/(kh·kw)</c>, as the CPU scales it.</summary>
    internal static void AvgPoolKernel(Index1D i, ArrayView<float> x, ArrayView<float> y, ConvArgs p)
    {
        int plane = p.Oh * p.Ow, q = i / plane, o = i - q * plane;
        int oy = o / p.Ow, ox = o - oy * p.Ow;
        int xPlane = p.X + q * p.H * p.W;
        float sum = 0f;
        for (int ki = 0; ki < p.Kh; ki++)
        {
            int iy = oy * p.Sh - p.Pt + ki * p.Dh;
            if (iy < 0 || iy >= p.H) continue;
            for (int kj = 0; kj < p.Kw; kj++)
            {
                int ix = ox * p.Sw - p.Pl + kj * p.Dw;
                if (ix < 0 || ix >= p.W) continue;
                sum += x[xPlane + iy * p.W + ix];
            }
        }
        y[p.Y + i] = sum * (1f / (p.Kh * p.Kw));
    }

    /// <inheritdoc/>
    public void AvgPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset)
    {
        CheckGeometry(g, nameof(AvgPool2DBackward));
        long total = (long)g.Batch * g.InChannels * g.InPlane;
        if (total <= 0) return;
        // Slots: X = dx, Y = dy.
        var p = new ConvArgs(g) { X = dxOffset, Y = dyOffset };
        (_avgPoolBackward ??= Load(nameof(AvgPoolBackwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ConvArgs>(AvgPoolBackwardKernel)))(
            LaunchStream, checked((int)total), View(dy), View(dx), p);
    }

    /// <summary>One thread per input element: Σ dy·(1/(kh·kw)) over the windows that contain it, in the CPU's order.</summary>
    internal static void AvgPoolBackwardKernel(Index1D i, ArrayView<float> dy, ArrayView<float> dx, ConvArgs p)
    {
        int inPlane = p.H * p.W, q = i / inPlane, e = i - q * inPlane;
        int iy = e / p.W, ix = e - iy * p.W;
        int first = p.Y + q * p.Oh * p.Ow;
        float scale = 1f / (p.Kh * p.Kw), sum = 0f;
        for (int ki = p.Kh - 1; ki >= 0; ki--)
        {
            int oy = ConvArgs.OutputOf(iy, ki, p.Pt, p.Sh, p.Dh, p.Oh);
            if (oy < 0) continue;
            for (int kj = p.Kw - 1; kj >= 0; kj--)
            {
                int ox = ConvArgs.OutputOf(ix, kj, p.Pl, p.Sw, p.Dw, p.Ow);
                if (ox < 0) continue;
                sum += dy[first + oy * p.Ow + ox] * scale;
            }
        }
        dx[p.X + i] = sum;
    }
}
