using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// A direct 3×3 convolution of one input channel (a network's first layer on grey images), stride 1, no padding:
/// as a GEMM its patch is only 9 long, so every 8×32 tile would be stored after 9 steps and its unrolled input
/// packed for 9 multiply-adds per float. Here 16 output pixels of a row are one vector; the 9 shifted input vectors
/// under them are loaded once and serve every filter (9 FMAs per output vector); the weight gradient keeps the 9 tap
/// sums of two filters in registers over all of a part's images and reduces them once. A row's last vector is masked.
/// </summary>
internal static unsafe class ConvFirstLayer
{
    public static bool Supports(in ConvGeometry g) =>
        Avx512F.IsSupported && g.InChannels == 1 && g.Groups == 1 && g.KernelHeight == 3 && g.KernelWidth == 3
        && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1 && g.PadTop == 0 && g.PadLeft == 0
        && g.OutHeight == g.Height - 2 && g.OutWidth == g.Width - 2;

    /// <summary><c>y = f(conv(x, W) + b)</c> for images [<paramref name="first"/>, <paramref name="end"/>); pointers at image 0, bias may be null.</summary>
    public static void Forward(in ConvGeometry g, float* x, float* w, float* bias, bool relu, float* y, int first, int end)
    {
        int h = g.Height, wd = g.Width, oh = g.OutHeight, ow = g.OutWidth, outs = g.OutChannels, plane = g.OutPlane;
        for (int t = first; t < end; t++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox += 16)
                {
                    var m = Mask(ow - ox);
                    float* r0 = x + ((long)t * h + oy) * wd + ox, r1 = r0 + wd, r2 = r1 + wd;
                    var x0 = Load(r0, m); var x1 = Load(r0 + 1, m); var x2 = Load(r0 + 2, m);
                    var x3 = Load(r1, m); var x4 = Load(r1 + 1, m); var x5 = Load(r1 + 2, m);
                    var x6 = Load(r2, m); var x7 = Load(r2 + 1, m); var x8 = Load(r2 + 2, m);
                    float* yo = y + (long)t * outs * plane + oy * ow + ox;
                    for (int o = 0; o < outs; o++, yo += plane)
                    {
                        float* k = w + o * 9;
                        var acc = Vector512.Create(bias == null ? 0f : bias[o]);
                        acc = Vector512.FusedMultiplyAdd(x0, Vector512.Create(k[0]), acc);
                        acc = Vector512.FusedMultiplyAdd(x1, Vector512.Create(k[1]), acc);
                        acc = Vector512.FusedMultiplyAdd(x2, Vector512.Create(k[2]), acc);
                        acc = Vector512.FusedMultiplyAdd(x3, Vector512.Create(k[3]), acc);
                        acc = Vector512.FusedMultiplyAdd(x4, Vector512.Create(k[4]), acc);
                        acc = Vector512.FusedMultiplyAdd(x5, Vector512.Create(k[5]), acc);
                        acc = Vector512.FusedMultiplyAdd(x6, Vector512.Create(k[6]), acc);
                        acc = Vector512.FusedMultiplyAdd(x7, Vector512.Create(k[7]), acc);
                        acc = Vector512.FusedMultiplyAdd(x8, Vector512.Create(k[8]), acc);
                        if (relu) acc = Vector512.ConditionalSelect(Vector512.LessThan(acc, Vector512<float>.Zero), Vector512<float>.Zero, acc);
                        Avx512F.MaskStore(yo, m, acc);
                    }
                }
    }

    /// <summary>
    /// Adds the weight gradient <c>Σ dy·x</c> (<c>[O, 9]</c>) and the bias gradient <c>Σ dy</c> (<c>[O]</c>, after it) of images
    /// [<paramref name="first"/>, <paramref name="end"/>) to <paramref name="acc"/>.
    /// </summary>
    /// <remarks>With <paramref name="gate"/> (the forward's ReLU output, laid out as dy) the gradient is taken as <c>dy ⊙ [gate &gt; 0]</c>.</remarks>
    public static void WeightGradient(in ConvGeometry g, float* x, float* dy, float* gate, float* acc, int first, int end)
    {
        int outs = g.OutChannels;
        for (int o = 0; o < outs; o += 2)
        {
            // An odd last filter runs as a pair with itself; only the first half of the pair is kept.
            int ob = Math.Min(o + 1, outs - 1);
            if (gate == null) FilterPair<NoGate>(g, x, dy, null, acc, first, end, o, ob, o + 1 < outs);
            else FilterPair<Gate>(g, x, dy, gate, acc, first, end, o, ob, o + 1 < outs);
        }
    }

    private interface IGate
    {
        static abstract Vector512<float> Apply(Vector512<float> dy, float* gate, Vector512<float> m);
    }

    private readonly struct NoGate : IGate
    {
        public static Vector512<float> Apply(Vector512<float> dy, float* gate, Vector512<float> m) => dy;
    }

    private readonly struct Gate : IGate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Apply(Vector512<float> dy, float* gate, Vector512<float> m) =>
            Vector512.GreaterThan(Load(gate, m), Vector512<float>.Zero) & dy;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FilterPair<TGate>(in ConvGeometry g, float* x, float* dy, float* gate, float* acc, int first, int end, int oa, int ob, bool keepB)
        where TGate : struct, IGate
    {
        int h = g.Height, wd = g.Width, oh = g.OutHeight, ow = g.OutWidth, outs = g.OutChannels, plane = g.OutPlane;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default, b8 = default;
        Vector512<float> sa = default, sb = default;
        for (int t = first; t < end; t++)
        {
            long la = ((long)t * outs + oa) * plane, lb = ((long)t * outs + ob) * plane;
            float* ga = dy + la, gb = dy + lb, ya = gate + la, yb = gate + lb;
            for (int oy = 0; oy < oh; oy++, ga += ow, gb += ow, ya += ow, yb += ow)
                for (int ox = 0; ox < ow; ox += 16)
                {
                    var m = Mask(ow - ox);
                    float* r0 = x + ((long)t * h + oy) * wd + ox, r1 = r0 + wd, r2 = r1 + wd;
                    var va = TGate.Apply(Load(ga + ox, m), ya + ox, m);
                    var vb = TGate.Apply(Load(gb + ox, m), yb + ox, m);
                    sa += va;
                    sb += vb;
                    var v = Load(r0, m); a0 = Vector512.FusedMultiplyAdd(va, v, a0); b0 = Vector512.FusedMultiplyAdd(vb, v, b0);
                    v = Load(r0 + 1, m); a1 = Vector512.FusedMultiplyAdd(va, v, a1); b1 = Vector512.FusedMultiplyAdd(vb, v, b1);
                    v = Load(r0 + 2, m); a2 = Vector512.FusedMultiplyAdd(va, v, a2); b2 = Vector512.FusedMultiplyAdd(vb, v, b2);
                    v = Load(r1, m); a3 = Vector512.FusedMultiplyAdd(va, v, a3); b3 = Vector512.FusedMultiplyAdd(vb, v, b3);
                    v = Load(r1 + 1, m); a4 = Vector512.FusedMultiplyAdd(va, v, a4); b4 = Vector512.FusedMultiplyAdd(vb, v, b4);
                    v = Load(r1 + 2, m); a5 = Vector512.FusedMultiplyAdd(va, v, a5); b5 = Vector512.FusedMultiplyAdd(vb, v, b5);
                    v = Load(r2, m); a6 = Vector512.FusedMultiplyAdd(va, v, a6); b6 = Vector512.FusedMultiplyAdd(vb, v, b6);
                    v = Load(r2 + 1, m); a7 = Vector512.FusedMultiplyAdd(va, v, a7); b7 = Vector512.FusedMultiplyAdd(vb, v, b7);
                    v = Load(r2 + 2, m); a8 = Vector512.FusedMultiplyAdd(va, v, a8); b8 = Vector512.FusedMultiplyAdd(vb, v, b8);
                }
        }
        float* da = acc + oa * 9;
        da[0] += Vector512.Sum(a0); da[1] += Vector512.Sum(a1); da[2] += Vector512.Sum(a2);
        da[3] += Vector512.Sum(a3); da[4] += Vector512.Sum(a4); da[5] += Vector512.Sum(a5);
        da[6] += Vector512.Sum(a6); da[7] += Vector512.Sum(a7); da[8] += Vector512.Sum(a8);
        acc[outs * 9 + oa] += Vector512.Sum(sa);
        if (!keepB) return;
        float* db = acc + ob * 9;
        db[0] += Vector512.Sum(b0); db[1] += Vector512.Sum(b1); db[2] += Vector512.Sum(b2);
        db[3] += Vector512.Sum(b3); db[4] += Vector512.Sum(b4); db[5] += Vector512.Sum(b5);
        db[6] += Vector512.Sum(b6); db[7] += Vector512.Sum(b7); db[8] += Vector512.Sum(b8);
        acc[outs * 9 + ob] += Vector512.Sum(sb);
    }

    /// <summary>Lanes [0, n) set (all 16 when n ≥ 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int n) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle();

    /// <summary>The lanes of <paramref name="m"/> from <paramref name="p"/>, zeros elsewhere (masked-off lanes are not read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* p, Vector512<float> m) => Avx512F.MaskLoad(p, m, Vector512<float>.Zero);
}
