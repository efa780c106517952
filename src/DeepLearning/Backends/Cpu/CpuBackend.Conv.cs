using System.Numerics.Tensors;
using DeepLearning.Backends.Cpu.Gemm;

namespace DeepLearning.Backends.Cpu;

// Convolution as im2col + GEMM, one image at a time: an image's unrolled windows (C·kh·kw × OH·OW floats, a few
// hundred KB for MNIST- and CIFAR-sized layers) stay in L2 between the unrolling and the product that reads them,
// where a whole-batch unrolling would stream tens of MB through memory. Images are the parallel unit: each core
// takes whole images and runs single-threaded GEMMs on them, so the two cores never meet inside a product.
public sealed partial class CpuBackend
{
    // Unrolled images per GEMM: enough that the filters are packed once for several images and the products have a
    // long side, few enough that the unrolled block (≤ 128K floats, 512 KB) stays in L2.
    private static int ImagesPerProduct(in ConvGeometry g) =>
        g.IsPointwise ? 1 : Math.Clamp((1 << 17) / Math.Max(1, g.Groups * g.GroupPatch * g.OutPlane), 1, 16);

    /// <inheritdoc/>
    public void Conv2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset)
    {
        Check(g);
        if (ConvFirstLayer.Supports(g))
        {
            FirstLayerForward(g, Cpu(x).Array, xOffset, Cpu(w).Array, wOffset, bias is null ? null : Cpu(bias).Array, biasOffset, relu, Cpu(y).Array, yOffset);
            return;
        }
        if (ConvPanels.Supports(g))
        {
            ConvForwardPanels(g, Cpu(x).Array, xOffset, Cpu(w).Array, wOffset, bias is null ? null : Cpu(bias).Array, biasOffset, relu, Cpu(y).Array, yOffset);
            return;
        }
        int per = ImagesPerProduct(g);
        var body = new ConvForward
        {
            G = g, Pool = _pool, PerProduct = per, X = Cpu(x).Array, XOffset = xOffset, W = Cpu(w).Array, WOffset = wOffset,
            Bias = bias is null ? null : Cpu(bias).Array, BiasOffset = biasOffset, Relu = relu,
            Y = Cpu(y).Array, YOffset = yOffset,
        };
        int chunks = (g.Batch + per - 1) / per;
        long work = (long)g.Batch * g.OutChannels * g.OutPlane * g.GroupPatch;
        if (chunks >= 2 && work >= Sgemm.ParallelWork && WorkerPool.CanSplit)
        {
            Reserve(g.IsPointwise ? 0 : g.Groups * g.GroupPatch * per * g.OutPlane, per == 1 ? 0 : g.OutChannels * per * g.OutPlane, 0, 0);
            WorkerPool.Run(chunks, body);
        }
        else
        {
            body.Threads = Sgemm.MaxThreads;
            for (int c = 0; c < chunks; c++) body.Execute(c);
        }
    }

    /// <inheritdoc/>
    public void Conv2DBackward(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer dy, int dyOffset, DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset) =>
        Conv2DBackward(g, x, xOffset, w, wOffset, null, 0, dy, dyOffset, dx, dxOffset, dw, dwOffset, dbias, dbiasOffset);

    /// <summary>
    /// The backward of <c>y = relu(conv(x, W) + b)</c> with ReLU's backward fused in: as
    /// <see cref="Conv2DBackward(in ConvGeometry, DeviceBuffer, int, DeviceBuffer, int, DeviceBuffer, int, DeviceBuffer?, int, DeviceBuffer?, int, DeviceBuffer?, int)"/>
    /// on <c>dy ⊙ [y &gt; 0]</c>, gated where dy is read (no gated copy of the whole gradient is written); a null
    /// <paramref name="y"/> means no ReLU.
    /// </summary>
    internal void Conv2DBackward(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer? y, int yOffset,
        DeviceBuffer dy, int dyOffset, DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset)
    {
        Check(g);
        if (g.Batch == 0)
        {
            if (dw is not null) Fill(dw, dwOffset, g.OutChannels * g.GroupPatch, 0f);
            if (dbias is not null) Fill(dbias, dbiasOffset, g.OutChannels, 0f);
            return;
        }
        if (dx is null && ConvFirstLayer.Supports(g))
        {
            FirstLayerWeightGradient(g, Cpu(x).Array, xOffset, Cpu(dy).Array, dyOffset, y is null ? null : Cpu(y).Array, yOffset,
                dw is null ? null : Cpu(dw).Array, dwOffset, dbias is null ? null : Cpu(dbias).Array, dbiasOffset);
            return;
        }
        int per = ImagesPerProduct(g);
        int chunks = (g.Batch + per - 1) / per;
        long work = (long)g.Batch * g.OutChannels * g.OutPlane * g.GroupPatch;
        bool parallel = chunks >= 2 && work >= Sgemm.ParallelWork && WorkerPool.CanSplit;
        // Each part sums the weight gradient of a fixed range of images into its own accumulator, added up in part order
        // afterwards: the result does not depend on which thread ran which part.
        int parts = parallel ? Math.Min(chunks, 4 * (WorkerPool.HelperCount + 1)) : 1;
        int accLength = g.OutChannels * g.GroupPatch + g.OutChannels;
        var body = new ConvBackward
        {
            G = g, Pool = _pool, Parts = parts, Chunks = chunks, PerProduct = per, X = Cpu(x).Array, XOffset = xOffset,
            W = Cpu(w).Array, WOffset = wOffset, DY = Cpu(dy).Array, DYOffset = dyOffset,
            Gate = y is null ? null : Cpu(y).Array, GateOffset = yOffset,
            DX = dx is null ? null : Cpu(dx).Array, DXOffset = dxOffset,
            NeedWeights = dw is not null || dbias is not null,
            AccLength = accLength,
            Accumulators = _pool.Rent(parts * accLength),
            Threads = parallel ? 1 : Sgemm.MaxThreads,
        };
        try
        {
            if (parallel)
            {
                int maxLd = per * g.OutPlane, patch = g.Groups * g.GroupPatch;
                Reserve(g.IsPointwise || !body.NeedWeights ? 0 : patch * maxLd, g.IsPointwise || dx is null ? 0 : patch * maxLd,
                    per == 1 && y is null ? 0 : g.OutChannels * maxLd,
                    body.NeedWeights && g.GroupPatch < 16 && g.GroupOutChannels > g.GroupPatch ? g.GroupPatch * g.GroupOutChannels : 0);
                WorkerPool.Run(parts, body);
            }
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

    /// <summary>
    /// Makes the pool hold, for every thread that may run parts at once, one array of each nonzero length given (the
    /// scratch a part rents): all rented, then all returned. Parts rent on whichever threads run them, and how many run at
    /// once depends on timing; without this, the first step in which both cores overlap would take arrays from outside
    /// the pool, however long the run had been steady.
    /// </summary>
    private void Reserve(int a, int b, int c, int d)
    {
        var held = new Reserved();
        int count = 0, threads = Math.Min(WorkerPool.HelperCount + 1, Reserved.Threads);
        for (int t = 0; t < threads; t++)
        {
            if (a > 0) held[count++] = _pool.Rent(a);
            if (b > 0) held[count++] = _pool.Rent(b);
            if (c > 0) held[count++] = _pool.Rent(c);
            if (d > 0) held[count++] = _pool.Rent(d);
        }
        for (int i = 0; i < count; i++) _pool.Return(held[i]!);
    }

    [System.Runtime.CompilerServices.InlineArray(4 * Threads)]
    private struct Reserved
    {
        public const int Threads = 16;
        private float[]? _element;
    }

    /// <summary>Parts of whole images: a few per core when the work pays for a second thread, else one.</summary>
    private static int ImageParts(in ConvGeometry g)
    {
        long work = (long)g.Batch * g.OutChannels * g.OutPlane * g.GroupPatch;
        return work >= Sgemm.ParallelWork && WorkerPool.CanSplit && Sgemm.MaxThreads > 1 ? Math.Min(g.Batch, 4 * (WorkerPool.HelperCount + 1)) : 1;
    }

    private unsafe void ConvForwardPanels(in ConvGeometry g, float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset,
        bool relu, float[] y, int yOffset)
    {
        long pixels = (long)g.Batch * g.OutPlane;
        if (pixels == 0) return;
        int panels = (int)((pixels + ConvPanels.NR - 1) / ConvPanels.NR);
        long work = pixels * g.OutChannels * g.GroupPatch;
        // A few parts per core, so a helper that starts late (the other core busy) still takes a share.
        int parts = work >= Sgemm.ParallelWork && WorkerPool.CanSplit && Sgemm.MaxThreads > 1 ? Math.Min(panels, 4 * (WorkerPool.HelperCount + 1)) : 1;
        var packed = _pool.Rent(ConvPanels.PackedWeightsLength(g));
        try
        {
            fixed (float* px = x, pw = w, pb = bias, py = y, pp = packed)
            {
                ConvPanels.PackWeights(g, pw + wOffset, pp);
                var body = new PanelForward
                {
                    G = g, X = px + xOffset, XEnd = px + x.Length, W = pp, Bias = pb == null ? null : pb + biasOffset, Relu = relu, Y = py + yOffset,
                    Panels = panels, Parts = parts, Pixels = pixels,
                };
                if (parts > 1) WorkerPool.Run(parts, body, Sgemm.MaxThreads);
                else body.Execute(0);
            }
        }
        finally
        {
            _pool.Return(packed);
        }
    }

    /// <summary>Part p: panels [p·Panels/Parts, (p+1)·Panels/Parts) of the flattened output pixels.</summary>
    private unsafe struct PanelForward : IPartBody
    {
        public ConvGeometry G;
        public float* X, XEnd, W, Bias, Y;
        public bool Relu;
        public int Panels, Parts;
        public long Pixels;

        public readonly void Execute(int part)
        {
            long first = (long)Panels * part / Parts * ConvPanels.NR;
            long end = Math.Min(Pixels, (long)Panels * (part + 1) / Parts * ConvPanels.NR);
            ConvPanels.Forward(G, X, XEnd, W, Bias, Relu, Y, first, end);
        }
    }

    private static void Check(in ConvGeometry g)
    {
        if (g.Batch < 0 || g.InChannels <= 0 || g.OutChannels <= 0 || g.Groups <= 0 || g.InChannels % g.Groups != 0
            || g.OutChannels % g.Groups != 0 || g.KernelHeight <= 0 || g.KernelWidth <= 0 || g.StrideH <= 0 || g.StrideW <= 0
            || g.DilationH <= 0 || g.DilationW <= 0 || g.PadTop < 0 || g.PadLeft < 0 || g.OutHeight <= 0 || g.OutWidth <= 0)
            throw new ArgumentException($"CPU backend: invalid convolution geometry {g}");
    }

    /// <summary>
    /// Chunk c: images [c·PerProduct, …) unrolled side by side into one [patch, n·plane] matrix, one GEMM per group into
    /// [out, n·plane], then each image's planes copied out with bias and ReLU applied on the way. A single image (or a
    /// pointwise convolution, which needs no unrolling) is multiplied straight into the output.
    /// </summary>
    private struct ConvForward : IPartBody
    {
        public ConvGeometry G;
        public FloatArrayPool Pool;
        public float[] X, W, Y;
        public float[]? Bias;
        public int PerProduct, XOffset, WOffset, BiasOffset, YOffset, Threads;
        public bool Relu;

        public readonly unsafe void Execute(int chunk)
        {
            var g = G;
            int plane = g.OutPlane, kg = g.GroupPatch, og = g.GroupOutChannels, patch = g.Groups * kg;
            int first = chunk * PerProduct, n = Math.Min(PerProduct, g.Batch - first), ld = n * plane;
            int xb = XOffset + first * g.InChannels * g.InPlane;
            int yb = YOffset + first * g.OutChannels * plane;
            float[]? col = g.IsPointwise ? null : Pool.Rent(patch * ld);
            float[]? product = n == 1 ? null : Pool.Rent(g.OutChannels * ld);
            try
            {
                if (col is not null)
                    fixed (float* px = X, pc = col)
                        for (int t = 0; t < n; t++) Im2Col.Unroll(g, g.InChannels, px + xb + t * g.InChannels * g.InPlane, pc + t * plane, ld);
                var src = col ?? X;
                int srcOffset = col is null ? xb : 0;
                var dst = product ?? Y;
                int dstOffset = product is null ? yb : 0;
                for (int grp = 0; grp < g.Groups; grp++)
                    Sgemm.Multiply(false, false, og, ld, kg, 1f, W, WOffset + grp * og * kg, kg,
                        src, srcOffset + grp * kg * ld, ld, 0f, dst, dstOffset + grp * og * ld, ld,
                        Math.Max(1, Threads), PackedGemm.WideByDefault);
                if (product is null && Bias is null && !Relu) return;
                for (int t = 0; t < n; t++)
                    for (int o = 0; o < g.OutChannels; o++)
                    {
                        var row = Y.AsSpan(yb + (t * g.OutChannels + o) * plane, plane);
                        if (product is not null) product.AsSpan(o * ld + t * plane, plane).CopyTo(row);
                        if (Bias is not null) TensorPrimitives.Add(row, Bias[BiasOffset + o], row);
                        if (Relu) TensorPrimitives.Max(row, 0f, row);
                    }
            }
            finally
            {
                if (col is not null) Pool.Return(col);
                if (product is not null) Pool.Return(product);
            }
        }
    }

    /// <summary>
    /// Part p: chunks [p·Chunks/Parts, (p+1)·Chunks/Parts) of PerProduct images. Per chunk, the images' dY planes side by
    /// side as [out, n·plane]; dW += dY·colᵀ and db += Σ dY into the part's accumulator ([dW | db]); dx = fold(Wᵀ·dY).
    /// </summary>
    private struct ConvBackward : IPartBody
    {
        public ConvGeometry G;
        public FloatArrayPool Pool;
        public int Parts, Chunks, PerProduct, AccLength, XOffset, WOffset, DYOffset, DXOffset, Threads;
        public float[] X, W, DY;
        public float[]? DX, Gate;
        public int GateOffset;
        public bool NeedWeights;
        public float[] Accumulators;

        public readonly unsafe void Execute(int part)
        {
            var g = G;
            int plane = g.OutPlane, kg = g.GroupPatch, og = g.GroupOutChannels, patch = g.Groups * kg;
            int firstChunk = (int)((long)Chunks * part / Parts), endChunk = (int)((long)Chunks * (part + 1) / Parts);
            var acc = Accumulators;
            int accOffset = part * AccLength, wLength = g.OutChannels * kg;
            acc.AsSpan(accOffset, AccLength).Clear();
            int threads = Math.Max(1, Threads);
            bool wide = PackedGemm.WideByDefault;
            int maxLd = PerProduct * plane;
            float[]? col = g.IsPointwise || !NeedWeights ? null : Pool.Rent(patch * maxLd);
            float[]? dcol = g.IsPointwise || DX is null ? null : Pool.Rent(patch * maxLd);
            // A ReLU gate needs the gated copy even for one image a chunk (the gradient itself is not written).
            float[]? dys = PerProduct == 1 && Gate is null ? null : Pool.Rent(g.OutChannels * maxLd);
            float[]? transposed = NeedWeights && kg < 16 && og > kg ? Pool.Rent(kg * og) : null;
            try
            {
                for (int chunk = firstChunk; chunk < endChunk; chunk++)
                {
                    int first = chunk * PerProduct, n = Math.Min(PerProduct, g.Batch - first), ld = n * plane;
                    int xb = XOffset + first * g.InChannels * g.InPlane;
                    int dyb = DYOffset + first * g.OutChannels * plane;
                    // The chunk's output gradient as one [out, n·plane] matrix.
                    var gy = dys ?? DY;
                    int gyOffset = dys is null ? dyb : 0;
                    if (dys is not null && Gate is not null)
                        fixed (float* pdy = DY, pg = Gate, pd = dys)
                            for (int t = 0; t < n; t++)
                                for (int o = 0; o < g.OutChannels; o++)
                                {
                                    int at = (t * g.OutChannels + o) * plane;
                                    Lanes.ReluGate(pd + o * ld + t * plane, pdy + dyb + at, pg + GateOffset - DYOffset + dyb + at, plane);
                                }
                    else if (dys is not null)
                        for (int t = 0; t < n; t++)
                            for (int o = 0; o < g.OutChannels; o++)
                                DY.AsSpan(dyb + (t * g.OutChannels + o) * plane, plane).CopyTo(dys.AsSpan(o * ld + t * plane, plane));
                    if (NeedWeights)
                    {
                        if (col is not null)
                            fixed (float* px = X, pc = col)
                                for (int t = 0; t < n; t++) Im2Col.Unroll(g, g.InChannels, px + xb + t * g.InChannels * g.InPlane, pc + t * plane, ld);
                        var src = col ?? X;
                        int srcOffset = col is null ? xb : 0;
                        for (int grp = 0; grp < g.Groups; grp++)
                        {
                            if (transposed is null)
                            {
                                Sgemm.Multiply(false, true, og, kg, ld, 1f, gy, gyOffset + grp * og * ld, ld,
                                    src, srcOffset + grp * kg * ld, ld, 1f, acc, accOffset + grp * og * kg, kg, threads, wide);
                                continue;
                            }
                            // Few patch rows (a first layer's kg = 9): dWᵀ = col·dYᵀ keeps the short side on the micro-tile's
                            // rows (8) rather than its columns (32), then adds transposed into the accumulator.
                            Sgemm.Multiply(false, true, kg, og, ld, 1f, src, srcOffset + grp * kg * ld, ld,
                                gy, gyOffset + grp * og * ld, ld, 0f, transposed, 0, og, threads, wide);
                            for (int o = 0; o < og; o++)
                                for (int k = 0; k < kg; k++) acc[accOffset + (grp * og + o) * kg + k] += transposed[k * og + o];
                        }
                        for (int o = 0; o < g.OutChannels; o++) acc[accOffset + wLength + o] += TensorPrimitives.Sum(gy.AsSpan(gyOffset + o * ld, ld));
                    }
                    if (DX is null) continue;
                    int dxb = DXOffset + first * g.InChannels * g.InPlane;
                    var dst = dcol ?? DX;
                    int dstOffset = dcol is null ? dxb : 0;
                    for (int grp = 0; grp < g.Groups; grp++)
                        Sgemm.Multiply(true, false, kg, ld, og, 1f, W, WOffset + grp * og * kg, kg,
                            gy, gyOffset + grp * og * ld, ld, 0f, dst, dstOffset + grp * kg * ld, ld, threads, wide);
                    if (dcol is not null)
                        fixed (float* pc = dcol, pdx = DX)
                            for (int t = 0; t < n; t++) Im2Col.FoldInto(g, g.InChannels, pc + t * plane, pdx + dxb + t * g.InChannels * g.InPlane, ld);
                }
            }
            finally
            {
                if (col is not null) Pool.Return(col);
                if (dcol is not null) Pool.Return(dcol);
                if (dys is not null) Pool.Return(dys);
                if (transposed is not null) Pool.Return(transposed);
            }
        }
    }
}
