using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DeepLearning.Backends.Cpu.Gemm;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// Convolution as an implicit GEMM on the GEMM's micro-kernel, with no unrolled matrix in memory: the output pixels
/// of the whole batch, flattened image by image, are cut into panels of NR (32) pixels; each panel's windows are
/// unrolled straight into the packed-B layout the kernel reads (one copy per output-row piece and tap), the filters
/// are packed once per call, and each MR×NR tile of the product goes from L1 to its place in the output with bias and
/// ReLU applied on the way. Panels may straddle images, so a small plane wastes no columns.
/// The materialise-then-pack route (<see cref="Im2Col"/> + <see cref="Sgemm"/>) copied every unrolled float twice
/// more and the product once more; it stays for patches too long for a panel to sit in L2.
/// </summary>
internal static unsafe class ConvPanels
{
    // A panel is patch × NR floats (36 KB for a 32-channel 3×3 layer): it must stay in L2 while every filter block
    // sweeps over it, and a group's filters (out/groups × patch floats) are re-read from L2 for every panel.
    private const int MaxPatch = 2048;
    private const long MaxGroupWeights = 1 << 18;

    private static readonly bool Wide = PackedGemm.WideByDefault;

    /// <summary>Micro-tile rows (filters per kernel call) and columns (pixels per panel).</summary>
    public static int MR => PackedGemm.MR(Wide);

    /// <inheritdoc cref="MR"/>
    public static int NR => PackedGemm.NR(Wide);

    public static bool Supports(in ConvGeometry g) =>
        PackedGemm.IsSupported && g.GroupPatch <= MaxPatch && (long)g.GroupOutChannels * g.GroupPatch <= MaxGroupWeights;

    /// <summary>Floats of the packed filters of all groups (<see cref="PackWeights"/>).</summary>
    public static int PackedWeightsLength(in ConvGeometry g) => g.Groups * RoundUp(g.GroupOutChannels, MR) * g.GroupPatch;

    /// <summary>Each group's filters <c>[out/groups, patch]</c> as the kernel's A micro-panels (MR filters side by side per tap).</summary>
    public static void PackWeights(in ConvGeometry g, float* w, float* dst)
    {
        int og = g.GroupOutChannels, kg = g.GroupPatch;
        long perGroup = (long)RoundUp(og, MR) * kg;
        for (int grp = 0; grp < g.Groups; grp++)
            Packing.Pack(w + (long)grp * og * kg, kg, 1, og, kg, MR, dst + grp * perGroup);
    }

    /// <summary>
    /// <c>y = f(conv(x, W) + b)</c> for the flattened output pixels [<paramref name="first"/>, <paramref name="end"/>) of
    /// the batch; <paramref name="x"/> and <paramref name="y"/> point at image 0 (nothing at or past <paramref name="xEnd"/>
    /// is read), <paramref name="bias"/> may be null.
    /// </summary>
    public static void Forward(in ConvGeometry g, float* x, float* xEnd, float* packedW, float* bias, bool relu, float* y, long first, long end)
    {
        int nr = NR, mr = MR, kg = g.GroupPatch, og = g.GroupOutChannels, plane = g.OutPlane;
        long perGroup = (long)RoundUp(og, mr) * kg, imageOut = (long)g.OutChannels * plane;
        var buffers = PackBuffers.Rent();
        float* panel = buffers.B(kg * nr + 16);
        float* tile = stackalloc float[mr * nr];
        Piece* pieces = stackalloc Piece[nr];
        Piece* runs = stackalloc Piece[nr];
        for (long f = first; f < end; f += nr)
        {
            int used = (int)Math.Min(nr, end - f);
            int count = Pieces(g, f, used, pieces);
            int runCount = Runs(g, pieces, count, runs);
            for (int grp = 0; grp < g.Groups; grp++)
            {
                PackInput(g, grp, x, xEnd, pieces, count, used, nr, panel);
                float* wg = packedW + grp * perGroup;
                for (int o = 0; o < og; o += mr)
                {
                    Kernel(kg, wg + (long)o * kg, panel, tile, nr);
                    int oc = grp * og + o;
                    float* yo = y + (long)oc * plane;
                    for (int r = 0, rows = Math.Min(mr, og - o); r < rows; r++)
                    {
                        float b = bias == null ? 0f : bias[oc + r];
                        for (int s = 0; s < runCount; s++)
                        {
                            ref var run = ref runs[s];
                            Lanes.BiasRelu(yo + run.Image * imageOut + (long)r * plane + run.Column, tile + r * nr + run.At, run.Length, b, relu);
                        }
                    }
                }
            }
        }
        PackBuffers.Return(buffers);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(int kc, float* pa, float* pb, float* c, int ldc)
    {
        if (Wide) Kernel512.Run(kc, pa, pb, c, ldc, 1f, 0f);
        else Kernel256.Run(kc, pa, pb, c, ldc, 1f, 0f);
    }

    /// <summary>A run of output pixels in one image: in one output row (<see cref="Pieces"/>) or rows merged (<see cref="Runs"/>, Column then the pixel in the plane).</summary>
    private struct Piece
    {
        public int Image, Row, Column, Length, At;
    }

    /// <summary>Output pixels [f, f + count) of the flattened batch as pieces that each stay in one output row; returns how many.</summary>
    private static int Pieces(in ConvGeometry g, long f, int count, Piece* pieces)
    {
        int plane = g.OutPlane, ow = g.OutWidth, n = 0;
        for (int at = 0; at < count;)
        {
            long ff = f + at;
            int t = (int)(ff / plane), p = (int)(ff - (long)t * plane), oy = p / ow, ox = p - oy * ow;
            int length = Math.Min(count - at, ow - ox);
            pieces[n++] = new Piece { Image = t, Row = oy, Column = ox, Length = length, At = at };
            at += length;
        }
        return n;
    }

    /// <summary>The pieces merged per image (a plane's rows are contiguous in the output); Column holds the pixel in the plane.</summary>
    private static int Runs(in ConvGeometry g, Piece* pieces, int count, Piece* runs)
    {
        int n = 0;
        for (int s = 0; s < count; s++)
        {
            ref var p = ref pieces[s];
            if (n > 0 && runs[n - 1].Image == p.Image)
            {
                runs[n - 1].Length += p.Length;
                continue;
            }
            runs[n++] = new Piece { Image = p.Image, Column = p.Row * g.OutWidth + p.Column, Length = p.Length, At = p.At };
        }
        return n;
    }

    /// <summary>
    /// The panel's unrolled windows for group <paramref name="grp"/> in packed-B layout: row k = (c·kh + i)·kw + j holds,
    /// at column a, input [c, oy·sh − pt + i·dh, ox·sw − pl + j·dw] of the image of pixel a (0 in the padding);
    /// columns past <paramref name="used"/> are 0.
    /// </summary>
    private static void PackInput(in ConvGeometry g, int grp, float* x, float* xEnd, Piece* pieces, int count, int used, int nr, float* dst)
    {
        int cg = g.GroupInChannels, kh = g.KernelHeight, kw = g.KernelWidth, h = g.Height, w = g.Width;
        int sh = g.StrideH, sw = g.StrideW, pt = g.PadTop, pl = g.PadLeft, dh = g.DilationH, dw = g.DilationW;
        long image = (long)g.InChannels * g.InPlane;
        x += (long)grp * cg * g.InPlane;
        // Where every tap of every piece lies inside the input (no padding reached, unit stride along the width), each
        // piece is one copy from a fixed offset plus the tap's offset: precomputed here, so the tap loop is bare copies.
        bool inside = sw == 1, overrun = Vector512.IsHardwareAccelerated;
        long* from = stackalloc long[count];
        long lastTap = (long)(cg - 1) * g.InPlane + (long)(kh - 1) * dh * w + (kw - 1) * dw;
        for (int s = 0; s < count && inside; s++)
        {
            ref var p = ref pieces[s];
            int iy = p.Row * sh - pt, ix = p.Column - pl;
            inside = iy >= 0 && iy + (kh - 1) * dh < h && ix >= 0 && ix + p.Length - 1 + (kw - 1) * dw < w;
            from[s] = p.Image * image + (long)iy * w + ix;
            // Whole-vector copies read up to 15 floats past a piece; they must stay in the array.
            overrun &= x + from[s] + lastTap + (p.Length + 15) / 16 * 16 <= xEnd;
        }
        float* k = dst;
        if (inside && overrun)
        {
            // Pieces in column order, whole 16-float vectors: what a copy writes past its piece is overwritten by the next
            // piece, the next tap's row or the zeroed unused columns (the panel buffer has slack past its last row).
            for (int c = 0; c < cg; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++, k += nr)
                    {
                        float* tap = x + (long)c * g.InPlane + i * dh * w + j * dw;
                        for (int s = 0; s < count; s++)
                        {
                            float* src = tap + from[s], d = k + pieces[s].At;
                            for (int q = 0, n = pieces[s].Length; q < n; q += 16) Vector512.Store(Vector512.Load(src + q), d + q);
                        }
                        if (used < nr) Lanes.Zero(k + used, nr - used);
                    }
            return;
        }
        if (inside)
        {
            for (int c = 0; c < cg; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++, k += nr)
                    {
                        float* tap = x + (long)c * g.InPlane + i * dh * w + j * dw;
                        for (int s = 0; s < count; s++) Lanes.Copy(k + pieces[s].At, tap + from[s], pieces[s].Length);
                        if (used < nr) Lanes.Zero(k + used, nr - used);
                    }
            return;
        }
        for (int c = 0; c < cg; c++)
        {
            float* channel = x + (long)c * g.InPlane;
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++, k += nr)
                {
                    for (int s = 0; s < count; s++)
                    {
                        ref var p = ref pieces[s];
                        float* d = k + p.At;
                        int iy = p.Row * sh - pt + i * dh;
                        if ((uint)iy >= (uint)h)
                        {
                            Lanes.Zero(d, p.Length);
                            continue;
                        }
                        float* row = channel + p.Image * image + (long)iy * w;
                        int ix = p.Column * sw - pl + j * dw;
                        if (sw == 1)
                        {
                            // The columns whose tap lands inside the row, copied; zeros either side of them.
                            int start = Math.Clamp(-ix, 0, p.Length), stop = Math.Clamp(w - ix, start, p.Length);
                            if (start > 0) Lanes.Zero(d, start);
                            Lanes.Copy(d + start, row + ix + start, stop - start);
                            if (stop < p.Length) Lanes.Zero(d + stop, p.Length - stop);
                        }
                        else
                            for (int q = 0; q < p.Length; q++, ix += sw) d[q] = (uint)ix < (uint)w ? row[ix] : 0f;
                    }
                    if (used < nr) Lanes.Zero(k + used, nr - used);
                }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
