using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// Unrolls one image's convolution windows into a matrix so a convolution becomes one GEMM: row
/// <c>(c·kh + i)·kw + j</c>, column <c>oy·OW + ox</c> holds input <c>[c, oy·sh − pt + i·dh, ox·sw − pl + j·dw]</c>, or 0 in
/// the padding. Rows are output-plane long and contiguous, so for stride 1 each row segment is one copy of an input
/// row. <see cref="Fold"/> is the adjoint (scatter-add), the backward of the unrolling.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>
    /// Unrolls <paramref name="channels"/> channels of one image at <paramref name="x"/> into <paramref name="col"/>, whose
    /// rows are <paramref name="ld"/> floats apart (the output plane, or a multiple when several images sit side by side).
    /// </summary>
    public static void Unroll(in ConvGeometry g, int channels, float* x, float* col, long ld)
    {
        int ow = g.OutWidth, sw = g.StrideW;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < g.KernelHeight; i++)
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    float* dst = col + (long)((c * g.KernelHeight + i) * g.KernelWidth + j) * ld;
                    var (start, end, x0) = Columns(g, j);
                    for (int oy = 0; oy < g.OutHeight; oy++)
                    {
                        float* d = dst + oy * ow;
                        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                        if ((uint)iy >= (uint)g.Height)
                        {
                            Unsafe.InitBlockUnaligned(d, 0, (uint)ow * sizeof(float));
                            continue;
                        }
                        float* src = x + ((long)c * g.Height + iy) * g.Width + x0;
                        for (int ox = 0; ox < start; ox++) d[ox] = 0f;
                        for (int ox = end; ox < ow; ox++) d[ox] = 0f;
                        // Segments are short (an output row, often under 32 floats): a block copy without span set-up.
                        if (sw == 1) Unsafe.CopyBlockUnaligned(d + start, src + start, (uint)(end - start) * sizeof(float));
                        else for (int ox = start; ox < end; ox++) d[ox] = src[ox * sw];
                    }
                }
    }

    /// <summary>Adds the columns of <paramref name="col"/> (rows <paramref name="ld"/> apart) back onto the <paramref name="channels"/> channels at <paramref name="dx"/> (not cleared here).</summary>
    public static void Fold(in ConvGeometry g, int channels, float* col, float* dx, long ld)
    {
        int ow = g.OutWidth, sw = g.StrideW;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < g.KernelHeight; i++)
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    float* srcRow = col + (long)((c * g.KernelHeight + i) * g.KernelWidth + j) * ld;
                    var (start, end, x0) = Columns(g, j);
                    if (end <= start) continue;
                    for (int oy = 0; oy < g.OutHeight; oy++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                        if ((uint)iy >= (uint)g.Height) continue;
                        float* s = srcRow + oy * ow;
                        float* d = dx + ((long)c * g.Height + iy) * g.Width + x0;
                        if (sw == 1) AddTo(d + start, s + start, end - start);
                        else for (int ox = start; ox < end; ox++) d[ox * sw] += s[ox];
                    }
                }
    }

    private static void AddTo(float* d, float* s, int n)
    {
        int k = 0;
        for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
            (Vector256.Load(d + k) + Vector256.Load(s + k)).Store(d + k);
        for (; k < n; k++) d[k] += s[k];
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
    public static void FoldInto(in ConvGeometry g, int channels, float* col, float* dx, long ld)
    {
        new Span<float>(dx, channels * g.InPlane).Clear();
        Fold(g, channels, col, dx, ld);
    }
}
