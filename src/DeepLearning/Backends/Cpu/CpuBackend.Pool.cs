using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepLearning.Backends.Cpu;

// Pooling plane by plane ([batch·channels] planes, each independent): max pooling records the flat index (within the
// plane) of each window's maximum, so the backward pass is one scatter-add and never compares again.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void MaxPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer indices, int indicesOffset) =>
        RunPlanes(g, new Pool { G = g, Kind = 0, X = Cpu(x).Array, XOffset = xOffset, Y = Cpu(y).Array, YOffset = yOffset, I = Cpu(indices).Array, IOffset = indicesOffset });

    /// <inheritdoc/>
    public void MaxPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, DeviceBuffer dx, int dxOffset) =>
        RunPlanes(g, new Pool { G = g, Kind = 1, X = Cpu(dx).Array, XOffset = dxOffset, Y = Cpu(dy).Array, YOffset = dyOffset, I = Cpu(indices).Array, IOffset = indicesOffset });

    /// <inheritdoc/>
    public void AvgPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset) =>
        RunPlanes(g, new Pool { G = g, Kind = 2, X = Cpu(x).Array, XOffset = xOffset, Y = Cpu(y).Array, YOffset = yOffset, I = [] });

    /// <inheritdoc/>
    public void AvgPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset) =>
        RunPlanes(g, new Pool { G = g, Kind = 3, X = Cpu(dx).Array, XOffset = dxOffset, Y = Cpu(dy).Array, YOffset = dyOffset, I = [] });

    private static void RunPlanes(in ConvGeometry g, Pool body)
    {
        Check(g);
        int planes = g.Batch * g.InChannels;
        long work = (long)planes * g.OutPlane * g.KernelHeight * g.KernelWidth + (long)planes * g.InPlane;
        // Parts of whole planes, a few per core so a late helper still gets a share.
        int parts = work >= ParallelThreshold && WorkerPool.CanSplit ? Math.Min(planes, 4 * (WorkerPool.HelperCount + 1)) : 1;
        body.Parts = parts;
        body.Planes = planes;
        if (parts > 1) WorkerPool.Run(parts, body);
        else body.Execute(0);
    }

    /// <summary>
    /// One pooling pass over planes [p·planes/Parts, (p+1)·planes/Parts). X and Y are the input and output planes
    /// (for the backward kinds, dx and dy). Kind 0: max forward; 1: max backward; 2: average forward; 3: average backward.
    /// </summary>
    private struct Pool : IPartBody
    {
        public ConvGeometry G;
        public int Kind, Parts, Planes, XOffset, YOffset, IOffset;
        public float[] X, Y, I;

        public readonly void Execute(int part)
        {
            var g = G;
            int first = (int)((long)Planes * part / Parts), end = (int)((long)Planes * (part + 1) / Parts);
            for (int q = first; q < end; q++)
            {
                var x = X.AsSpan(XOffset + q * g.InPlane, g.InPlane);
                var y = Y.AsSpan(YOffset + q * g.OutPlane, g.OutPlane);
                switch (Kind)
                {
                    case 0: MaxPlane(g, x, y, I.AsSpan(IOffset + q * g.OutPlane, g.OutPlane), X.Length - (XOffset + q * g.InPlane)); break;
                    case 1:
                        x.Clear();
                        var idx = I.AsSpan(IOffset + q * g.OutPlane, g.OutPlane);
                        for (int o = 0; o < y.Length; o++)
                            if (idx[o] >= 0) x[(int)idx[o]] += y[o];
                        break;
                    default: AvgPlane(g, x, y, Kind == 3); break;
                }
            }
        }

        // The first maximum in row-major window order wins a tie, and a NaN wins over numbers (PyTorch's rule). Windows
        // wholly inside the plane (all of them without padding) take a loop with no bounds checks. `readable`: floats that
        // may be read from the plane's start (to the end of the array), for vector loads that run past a short row.
        private static unsafe void MaxPlane(in ConvGeometry g, Span<float> xs, Span<float> ys, Span<float> indexes, int readable)
        {
            int kh = g.KernelHeight, kw = g.KernelWidth, dh = g.DilationH, dw = g.DilationW, w = g.Width;
            if (kh == 2 && kw == 2 && g.StrideH == 2 && g.StrideW == 2 && dh == 1 && dw == 1 && g.PadTop == 0 && g.PadLeft == 0)
            {
                MaxPlane2x2(g, xs, ys, indexes, readable);
                return;
            }
            fixed (float* x = xs, y = ys, index = indexes)
                for (int oy = 0, o = 0; oy < g.OutHeight; oy++)
                {
                    int y0 = oy * g.StrideH - g.PadTop;
                    bool rowsInside = y0 >= 0 && y0 + (kh - 1) * dh < g.Height;
                    for (int ox = 0; ox < g.OutWidth; ox++, o++)
                    {
                        int x0 = ox * g.StrideW - g.PadLeft;
                        float best;
                        int at;
                        if (rowsInside && x0 >= 0 && x0 + (kw - 1) * dw < w)
                        {
                            at = y0 * w + x0;
                            best = x[at];
                            for (int i = 0; i < kh; i++)
                            {
                                int row = (y0 + i * dh) * w + x0;
                                for (int j = i == 0 ? 1 : 0; j < kw; j++)
                                {
                                    Take(ref best, ref at, x[row + j * dw], row + j * dw);
                                }
                            }
                        }
                        else (best, at) = MaxEdge(g, x, y0, x0);
                        y[o] = best;
                        index[o] = at;
                    }
                }
        }

        // The CNN default (2×2 windows, stride 2, no padding): every window is inside, and the taps are fixed.
        private static unsafe void MaxPlane2x2(in ConvGeometry g, Span<float> xs, Span<float> ys, Span<float> indexes, int readable)
        {
            int w = g.Width, ow = g.OutWidth;
            fixed (float* x = xs, y = ys, index = indexes)
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    int top = 2 * oy * w;
                    float* r0 = x + top;
                    float* r1 = r0 + w;
                    float* yo = y + oy * ow;
                    float* io = index + oy * ow;
                    int ox = Avx2.IsSupported ? MaxRow2x2(r0, r1, yo, io, ow, w, top, readable) : 0;
                    for (; ox < ow; ox++)
                    {
                        int c = 2 * ox;
                        float best = r0[c];
                        int at = c;
                        Take(ref best, ref at, r0[c + 1], c + 1);
                        Take(ref best, ref at, r1[c], c + w);
                        Take(ref best, ref at, r1[c + 1], c + w + 1);
                        yo[ox] = best;
                        io[ox] = top + at;
                    }
                }
        }

        /// <summary>
        /// Eight outputs of a 2×2/stride-2 row at a time: the even and odd columns of both input rows split out of two
        /// loads each, then the four candidates compared in window order with the same first-maximum and NaN rule as
        /// <see cref="Take"/>. A last group of fewer than 8 (a short row: 5 outputs of an 11-wide input) is done the same way
        /// when its loads stay within the <paramref name="readable"/> floats from the plane's start (the lanes past the row
        /// are computed and dropped): the scalar path's compare chain costs several times more per output. Returns how
        /// many outputs it wrote; the caller finishes the row.
        /// </summary>
        private static unsafe int MaxRow2x2(float* r0, float* r1, float* yo, float* io, int ow, int w, int top, int readable)
        {
            int ox = 0;
            var lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
            var one = Vector256.Create(1);
            var down = Vector256.Create(w);
            float* last = stackalloc float[16];
            for (; ox < ow; ox += 8)
            {
                int c = 2 * ox;
                bool partial = ox + 8 > ow;
                if (partial && top + w + c + 16 > readable) break;
                var (e0, o0) = Split(r0 + c);
                var (e1, o1) = Split(r1 + c);
                var best = e0;
                var offset = Vector256<int>.Zero;
                Pick(ref best, ref offset, o0, one);
                Pick(ref best, ref offset, e1, down);
                Pick(ref best, ref offset, o1, down + one);
                var at = Vector256.ConvertToSingle(Vector256.Create(top + c) + lanes + offset);
                if (!partial)
                {
                    best.Store(yo + ox);
                    at.Store(io + ox);
                    continue;
                }
                best.Store(last);
                at.Store(last + 8);
                for (int k = 0; k < ow - ox; k++)
                {
                    yo[ox + k] = last[k];
                    io[ox + k] = last[8 + k];
                }
                return ow;
            }
            return ox;
        }

        // 16 consecutive floats as their 8 even and 8 odd elements, in order.
        private static unsafe (Vector256<float> Even, Vector256<float> Odd) Split(float* p)
        {
            var a = Avx.LoadVector256(p);
            var b = Avx.LoadVector256(p + 8);
            // Shuffle works within 128-bit lanes ([a0 a2 b0 b2 | a4 a6 b4 b6]); the 64-bit permute puts the pairs in order.
            var even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
            var odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
            return (even, odd);
        }

        private static void Pick(ref Vector256<float> best, ref Vector256<int> offset, Vector256<float> v, Vector256<int> at)
        {
            var take = Vector256.GreaterThan(v, best) | ~Vector256.Equals(v, v);
            best = Vector256.ConditionalSelect(take, v, best);
            offset = Vector256.ConditionalSelect(take.AsInt32(), at, offset);
        }

        // Without branches: on real activations which tap wins is random, and a mispredicted branch per tap cost several
        // times the comparisons themselves (measured 8× slower on random inputs than on constant ones).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Take(ref float best, ref int at, float v, int index)
        {
            // The JIT turns an integer select into a conditional move but not a float one, so both selects are made on
            // bits through a 0/−1 mask.
            bool take = (v > best) | float.IsNaN(v);
            int mask = -Unsafe.As<bool, byte>(ref take);
            int b = BitConverter.SingleToInt32Bits(best);
            best = BitConverter.Int32BitsToSingle(b ^ ((b ^ BitConverter.SingleToInt32Bits(v)) & mask));
            at ^= (at ^ index) & mask;
        }

        private static unsafe (float Best, int At) MaxEdge(in ConvGeometry g, float* x, int y0, int x0)
        {
            float best = float.NegativeInfinity;
            int at = -1;
            for (int i = 0; i < g.KernelHeight; i++)
            {
                int iy = y0 + i * g.DilationH;
                if ((uint)iy >= (uint)g.Height) continue;
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    int ix = x0 + j * g.DilationW;
                    if ((uint)ix >= (uint)g.Width) continue;
                    float v = x[iy * g.Width + ix];
                    if (v > best || float.IsNaN(v) || at < 0)
                    {
                        best = v;
                        at = iy * g.Width + ix;
                    }
                }
            }
            return (best, at);
        }

        // Average over the whole window, padding counted as zeros (PyTorch's count_include_pad = True).
        private static void AvgPlane(in ConvGeometry g, Span<float> x, Span<float> y, bool backward)
        {
            float scale = 1f / (g.KernelHeight * g.KernelWidth);
            if (backward) x.Clear();
            for (int oy = 0, o = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    float sum = 0f, share = backward ? y[o] * scale : 0f;
                    for (int i = 0; i < g.KernelHeight; i++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + i * g.DilationH;
                        if ((uint)iy >= (uint)g.Height) continue;
                        for (int j = 0; j < g.KernelWidth; j++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + j * g.DilationW;
                            if ((uint)ix >= (uint)g.Width) continue;
                            if (backward) x[iy * g.Width + ix] += share;
                            else sum += x[iy * g.Width + ix];
                        }
                    }
                    if (!backward) y[o] = sum * scale;
                }
        }
    }
}
