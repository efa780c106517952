using System.Numerics.Tensors;
using DeepLearning.Backends.Cpu.Gemm;

namespace DeepLearning.Backends.Cpu;

// Convolution as im2col + GEMM, one image at a time: an image's unrolled windows (C·kh·kw × OH·OW floats, a few
// hundred KB for MNIST- and CIFAR-sized layers) stay in L2 between the unrolling and the product that reads them,
// where a whole-batch unrolling would stream tens of MB through memory. Images are the parallel unit: each core
// takes whole images and runs single-threaded GEMMs on them, so the two cores never meet inside a product.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Conv2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset)
    {
        Check(g);
        var body = new ConvForward
        {
            G = g, Pool = _pool, X = Cpu(x).Array, XOffset = xOffset, W = Cpu(w).Array, WOffset = wOffset,
            Bias = bias is null ? null : Cpu(bias).Array, BiasOffset = biasOffset, Relu = relu,
            Y = Cpu(y).Array, YOffset = yOffset,
        };
        long work = (long)g.Batch * g.OutChannels * g.OutPlane * g.GroupPatch;
        if (g.Batch >= 2 && work >= Sgemm.ParallelWork && WorkerPool.CanSplit)
            WorkerPool.Run(g.Batch, body);
        else
        {
            body.Threads = Sgemm.MaxThreads;
            for (int b = 0; b < g.Batch; b++) body.Execute(b);
        }
    }

    /// <inheritdoc/>
    public void Conv2DBackward(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer dy, int dyOffset, DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset)
    {
        Check(g);
        if (g.Batch == 0)
        {
            if (dw is not null) Fill(dw, dwOffset, g.OutChannels * g.GroupPatch, 0f);
            if (dbias is not null) Fill(dbias, dbiasOffset, g.OutChannels, 0f);
            return;
        }
        long work = (long)g.Batch * g.OutChannels * g.OutPlane * g.GroupPatch;
        bool parallel = g.Batch >= 2 && work >= Sgemm.ParallelWork && WorkerPool.CanSplit;
        // Each part sums the weight gradient of a fixed range of images into its own accumulator, added up in part order
        // afterwards: the result does not depend on which thread ran which part.
        int parts = parallel ? Math.Min(g.Batch, 4 * (WorkerPool.HelperCount + 1)) : 1;
        int accLength = g.OutChannels * g.GroupPatch + g.OutChannels;
        var body = new ConvBackward
        {
            G = g, Pool = _pool, Parts = parts, X = Cpu(x).Array, XOffset = xOffset, W = Cpu(w).Array, WOffset = wOffset,
            DY = Cpu(dy).Array, DYOffset = dyOffset, DX = dx is null ? null : Cpu(dx).Array, DXOffset = dxOffset,
            NeedWeights = dw is not null || dbias is not null,
            AccLength = accLength,
            Accumulators = _pool.Rent(parts * accLength),
            Threads = parallel ? 1 : Sgemm.MaxThreads,
        };
        try
        {
            if (parallel) WorkerPool.Run(parts, body);
            else body.Execute(0);
            var total = body.Accumulators.AsSpan(0, accLength);
            for (int p = 1; p < parts; p++) TensorPrimitives.Add(total, body.Accumulators.AsSpan(p * accLength, accLength), total);
            int wLength = g.OutChannels * g.GroupPatch;
            if (dw is not null) total[..wLength].CopyTo(Cpu(dw).AsSpan(dwOffset, wLength));
            if (dbias is not null) total[wLength..].CopyTo(Cpu(dbias).AsSpan(dbiasOffset, g.OutChannels));
        }
        finally
        {
            _pool.Return(body.Accumulators);
        }
    }

    private static void Check(in ConvGeometry g)
    {
        if (g.Batch < 0 || g.InChannels <= 0 || g.OutChannels <= 0 || g.Groups <= 0 || g.InChannels % g.Groups != 0
            || g.OutChannels % g.Groups != 0 || g.KernelHeight <= 0 || g.KernelWidth <= 0 || g.StrideH <= 0 || g.StrideW <= 0
            || g.DilationH <= 0 || g.DilationW <= 0 || g.PadTop < 0 || g.PadLeft < 0 || g.OutHeight <= 0 || g.OutWidth <= 0)
            throw new ArgumentException($"CPU backend: invalid convolution geometry {g}");
    }

    /// <summary>Image b: unroll, one GEMM per group into the output plane, then bias and ReLU while the plane is in cache.</summary>
    private struct ConvForward : IPartBody
    {
        public ConvGeometry G;
        public FloatArrayPool Pool;
        public float[] X, W, Y;
        public float[]? Bias;
        public int XOffset, WOffset, BiasOffset, YOffset, Threads;
        public bool Relu;

        public readonly unsafe void Execute(int b)
        {
            var g = G;
            int plane = g.OutPlane, kg = g.GroupPatch, og = g.GroupOutChannels;
            int xb = XOffset + b * g.InChannels * g.InPlane;
            int yb = YOffset + b * g.OutChannels * plane;
            float[]? col = g.IsPointwise ? null : Pool.Rent(g.Groups * kg * plane);
            try
            {
                if (col is not null)
                    fixed (float* px = X, pc = col) Im2Col.Unroll(g, g.InChannels, px + xb, pc);
                var src = col ?? X;
                int srcOffset = col is null ? xb : 0;
                for (int grp = 0; grp < g.Groups; grp++)
                    Sgemm.Multiply(false, false, og, plane, kg, 1f, W, WOffset + grp * og * kg, kg,
                        src, srcOffset + grp * kg * plane, plane, 0f, Y, yb + grp * og * plane, plane,
                        Math.Max(1, Threads), PackedGemm.WideByDefault);
                if (Bias is null && !Relu) return;
                for (int o = 0; o < g.OutChannels; o++)
                {
                    var row = Y.AsSpan(yb + o * plane, plane);
                    if (Bias is not null) TensorPrimitives.Add(row, Bias[BiasOffset + o], row);
                    if (Relu) TensorPrimitives.Max(row, 0f, row);
                }
            }
            finally
            {
                if (col is not null) Pool.Return(col);
            }
        }
    }

    /// <summary>
    /// Part p: images [p·B/Parts, (p+1)·B/Parts). Per image, dW += dY·colᵀ and db += Σ dY (into the part's accumulator,
    /// [dW | db]) and dx = fold(Wᵀ·dY), one GEMM per group each.
    /// </summary>
    private struct ConvBackward : IPartBody
    {
        public ConvGeometry G;
        public FloatArrayPool Pool;
        public int Parts, AccLength, XOffset, WOffset, DYOffset, DXOffset, Threads;
        public float[] X, W, DY;
        public float[]? DX;
        public bool NeedWeights;
        public float[] Accumulators;

        public readonly unsafe void Execute(int part)
        {
            var g = G;
            int plane = g.OutPlane, kg = g.GroupPatch, og = g.GroupOutChannels, patch = g.Groups * kg;
            int first = (int)((long)g.Batch * part / Parts), end = (int)((long)g.Batch * (part + 1) / Parts);
            var acc = Accumulators;
            int accOffset = part * AccLength, wLength = g.OutChannels * kg;
            acc.AsSpan(accOffset, AccLength).Clear();
            int threads = Math.Max(1, Threads);
            bool wide = PackedGemm.WideByDefault;
            float[]? col = g.IsPointwise || !NeedWeights ? null : Pool.Rent(patch * plane);
            float[]? dcol = g.IsPointwise || DX is null ? null : Pool.Rent(patch * plane);
            try
            {
                for (int b = first; b < end; b++)
                {
                    int xb = XOffset + b * g.InChannels * g.InPlane;
                    int dyb = DYOffset + b * g.OutChannels * plane;
                    if (NeedWeights)
                    {
                        if (col is not null)
                            fixed (float* px = X, pc = col) Im2Col.Unroll(g, g.InChannels, px + xb, pc);
                        var src = col ?? X;
                        int srcOffset = col is null ? xb : 0;
                        for (int grp = 0; grp < g.Groups; grp++)
                            Sgemm.Multiply(false, true, og, kg, plane, 1f, DY, dyb + grp * og * plane, plane,
                                src, srcOffset + grp * kg * plane, plane, 1f, acc, accOffset + grp * og * kg, kg, threads, wide);
                        for (int o = 0; o < g.OutChannels; o++) acc[accOffset + wLength + o] += TensorPrimitives.Sum(DY.AsSpan(dyb + o * plane, plane));
                    }
                    if (DX is null) continue;
                    int dxb = DXOffset + b * g.InChannels * g.InPlane;
                    var dst = dcol ?? DX;
                    int dstOffset = dcol is null ? dxb : 0;
                    for (int grp = 0; grp < g.Groups; grp++)
                        Sgemm.Multiply(true, false, kg, plane, og, 1f, W, WOffset + grp * og * kg, kg,
                            DY, dyb + grp * og * plane, plane, 0f, dst, dstOffset + grp * kg * plane, plane, threads, wide);
                    if (dcol is not null)
                        fixed (float* pc = dcol, pdx = DX) Im2Col.FoldInto(g, g.InChannels, pc, pdx + dxb);
                }
            }
            finally
            {
                if (col is not null) Pool.Return(col);
                if (dcol is not null) Pool.Return(dcol);
            }
        }
    }
}
