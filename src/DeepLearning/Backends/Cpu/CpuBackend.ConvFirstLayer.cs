using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

// The CpuBackend side of ConvFirstLayer's direct kernels (one input channel, 3×3, stride 1, no padding): whole images
// split into parts over the cores; the weight gradient sums per-part accumulators in part order.
public sealed partial class CpuBackend
{
    private unsafe void FirstLayerForward(in ConvGeometry g, float[] x, int xOffset, float[] w, int wOffset, float[]? bias, int biasOffset,
        bool relu, float[] y, int yOffset)
    {
        if (g.Batch == 0) return;
        int parts = ImageParts(g);
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            var body = new FirstLayerBody
            {
                G = g, X = px + xOffset, W = pw + wOffset, Bias = pb == null ? null : pb + biasOffset, Relu = relu, Y = py + yOffset, Parts = parts,
            };
            if (parts > 1) WorkerPool.Run(parts, body, Sgemm.MaxThreads);
            else body.Execute(0);
        }
    }

    private unsafe void FirstLayerWeightGradient(in ConvGeometry g, float[] x, int xOffset, float[] dy, int dyOffset, float[]? gate, int gateOffset,
        float[]? dw, int dwOffset, float[]? dbias, int dbiasOffset)
    {
        int parts = g.Batch == 0 ? 1 : ImageParts(g);
        int accLength = g.OutChannels * 10;
        var acc = _pool.Rent(parts * accLength);
        try
        {
            fixed (float* px = x, pdy = dy, pg = gate, pacc = acc)
            {
                var body = new FirstLayerBody { G = g, X = px + xOffset, Y = pdy + dyOffset, Gate = pg == null ? null : pg + gateOffset, Acc = pacc, AccLength = accLength, Parts = parts, Backward = true };
                if (parts > 1) WorkerPool.Run(parts, body, Sgemm.MaxThreads);
                else body.Execute(0);
            }
            // Parts summed in part order: the result does not depend on which thread ran which part.
            var total = acc.AsSpan(0, accLength);
            for (int p = 1; p < parts; p++) TensorPrimitives.Add(total, acc.AsSpan(p * accLength, accLength), total);
            int wLength = g.OutChannels * 9;
            if (dw is not null) total[..wLength].CopyTo(dw.AsSpan(dwOffset, wLength));
            if (dbias is not null) total[wLength..].CopyTo(dbias.AsSpan(dbiasOffset, g.OutChannels));
        }
        finally
        {
            _pool.Return(acc);
        }
    }

    /// <summary>Part p: images [p·Batch/Parts, (p+1)·Batch/Parts) of <see cref="ConvFirstLayer"/>'s forward, or its weight gradient into the part's accumulator.</summary>
    private unsafe struct FirstLayerBody : IPartBody
    {
        public ConvGeometry G;
        public float* X, W, Bias, Y, Gate, Acc;
        public bool Relu, Backward;
        public int Parts, AccLength;

        public readonly void Execute(int part)
        {
            int first = (int)((long)G.Batch * part / Parts), end = (int)((long)G.Batch * (part + 1) / Parts);
            if (!Backward)
            {
                ConvFirstLayer.Forward(G, X, W, Bias, Relu, Y, first, end);
                return;
            }
            float* acc = Acc + (long)part * AccLength;
            new Span<float>(acc, AccLength).Clear();
            ConvFirstLayer.WeightGradient(G, X, Y, Gate, acc, first, end);
        }
    }
}
