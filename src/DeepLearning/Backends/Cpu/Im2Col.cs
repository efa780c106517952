using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// Unrolls one image's convolution windows into a matrix so a convolution becomes one GEMM: row
/// <c>(c·kh + i)·kw + j</c>, column <c>oy·OW + ox</c> holds input <c>[c, oy·sh − pt + i·dh, ox·sw − pl + j·dw]</c>, or 0 in
/// the padding. Rows are output-plane long and contiguous, so for stride 1 each row segment is one copy of an input
/// row. <see cref="Fold"/> is the adjoint (scatter-add), the backward of the unrolling.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>Unrolls <paramref name="channels"/> channels of one image at <paramref name="x"/> into <paramref name="col"/>.</summary>
    public static void Unroll(in ConvGeometry g, int channels, float* x, float* col)
    {
        int ow = g.OutWidth, plane = g.OutPlane;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < g.KernelHeight; i++)
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    float* dst = col + (long)((c * g.KernelHeight + i) * g.KernelWidth + j) * plane;
                    var (start, end, x0) = Columns(g, j);
                    for (int oy = 0; oy < g.OutHeight; oy++)
                    {
                        float* d = dst + oy * ow;
                        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                        if ((uint)iy >= (uint)g.Height)
                        {
                            new Span<float>(d, ow).Clear();
                            continue;
                        }
                        float* src = x + ((long)c * g.Height + iy) * g.Width + x0;
                        if (start > 0) new Span<float>(d, start).Clear();
                        if (end < ow) new Span<float>(d + end, ow - end).Clear();
                        if (g.StrideW == 1) new ReadOnlySpan<float>(src + start, end - start).CopyTo(new Span<float>(d + start, end - start));
                        else for (int ox = start; ox < end; ox++) d[ox] = src[ox * g.StrideW];
                    }
                }
    }

    /// <summary>Adds the columns of <paramref name="col"/> back onto the <paramref name="channels"/> channels at <paramref name="dx"/> (not cleared here).</summary>
    public static void Fold(in ConvGeometry g, int channels, float* col, float* dx)
    {
        int ow = g.OutWidth, plane = g.OutPlane;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < g.KernelHeight; i++)
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    float* srcRow = col + (long)((c * g.KernelHeight + i) * g.KernelWidth + j) * plane;
                    var (start, end, x0) = Columns(g, j);
                    if (end <= start) continue;
                    for (int oy = 0; oy < g.OutHeight; oy++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                        if ((uint)iy >= (uint)g.Height) continue;
                        float* s = srcRow + oy * ow;
                        float* d = dx + ((long)c * g.Height + iy) * g.Width + x0;
                        if (g.StrideW == 1)
                        {
                            var dd = new Span<float>(d + start, end - start);
                            TensorPrimitives.Add(dd, new ReadOnlySpan<float>(s + start, end - start), dd);
                        }
                        else for (int ox = start; ox < end; ox++) d[ox * g.StrideW] += s[ox];
                    }
                }
    }

    /// <summary>
    /// For kernel column <paramref name="j"/>: the output columns [start, end) whose tap lands inside the input, and
    /// the input column x0 that output column 0 would read (ox reads x0 + ox·sw).
    /// </summary>
    private static (int Start, int End, int X0) Columns(in ConvGeometry g, int j)
    {
        int x0 = j * g.DilationW - g.PadLeft;
        int start = x0 >= 0 ? 0 : (-x0 + g.StrideW - 1) / g.StrideW;
        int last = g.Width - 1 - x0;
        int end = last < 0 ? 0 : Math.Min(g.OutWidth, last / g.StrideW + 1);
        return (Math.Min(start, end), end, x0);
    }

    /// <summary>Clears a plane, then <see cref="Fold"/>s into it; for outputs written, not accumulated.</summary>
    public static void FoldInto(in ConvGeometry g, int channels, float* col, float* dx)
    {
        new Span<float>(dx, channels * g.InPlane).Clear();
        Fold(g, channels, col, dx);
    }
}
