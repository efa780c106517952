namespace DeepLearning.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        DeviceBuffer a, int aOffset, int lda, long strideA,
        DeviceBuffer b, int bOffset, int ldb, long strideB,
        float beta, DeviceBuffer c, int cOffset, int ldc, long strideC, int batch)
    {
        var av = Cpu(a).Array;
        var bv = Cpu(b).Array;
        var cv = Cpu(c).Array;
        var body = new BatchedProducts
        {
            TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
            A = av, AOffset = aOffset, Lda = lda, StrideA = strideA,
            B = bv, BOffset = bOffset, Ldb = ldb, StrideB = strideB,
            C = cv, COffset = cOffset, Ldc = ldc, StrideC = strideC, Batch = batch, Parts = 1,
        };
        // Attention's products (batch·heads of 64×32·32×64) are each too small to split over threads, but the batch
        // is not: whole products go to the threads, each one single-threaded, so every product is summed exactly
        // as the serial loop sums it. More parts than threads, so a helper that wakes late still takes a share.
        long work = (long)m * n * k;
        int threads = Math.Min(Sgemm.MaxThreads, Environment.ProcessorCount);
        if (batch > 1 && threads > 1 && work < Sgemm.ParallelWork && work * batch >= Sgemm.ParallelWork && WorkerPool.CanSplit)
        {
            body.Parts = Math.Min(batch, 8 * threads);
            WorkerPool.Run(body.Parts, body, threads);
            return;
        }
        for (int i = 0; i < batch; i++) body.Product(i, Sgemm.MaxThreads);
    }

    /// <summary>Products [Batch·part/Parts, Batch·(part+1)/Parts) of a batched GEMM.</summary>
    private struct BatchedProducts : IPartBody
    {
        public bool TransA, TransB;
        public int M, N, K, Lda, Ldb, Ldc, AOffset, BOffset, COffset, Batch, Parts;
        public float Alpha, Beta;
        public float[] A, B, C;
        public long StrideA, StrideB, StrideC;

        public readonly void Execute(int part)
        {
            int end = (int)((long)Batch * (part + 1) / Parts);
            for (int i = (int)((long)Batch * part / Parts); i < end; i++) Product(i, 1);
        }

        public readonly void Product(int i, int threads) =>
            Sgemm.Multiply(TransA, TransB, M, N, K, Alpha,
                A, checked((int)(AOffset + i * StrideA)), Lda,
                B, checked((int)(BOffset + i * StrideB)), Ldb,
                Beta, C, checked((int)(COffset + i * StrideC)), Ldc, threads, DeepLearning.Backends.Cpu.Gemm.PackedGemm.WideByDefault);
    }

    /// <inheritdoc/>
    public void GemmBiasActivation(bool transA, bool transB, int m, int n, int k,
        DeviceBuffer a, int aOffset, int lda, DeviceBuffer b, int bOffset, int ldb,
        DeviceBuffer? bias, int biasOffset, UnaryOp activation, float alpha, DeviceBuffer c, int cOffset)
    {
        // ReLU rides in the GEMM's epilogue; other activations follow as one more (split) pass.
        bool relu = activation == UnaryOp.Relu;
        Sgemm.Multiply(transA, transB, m, n, k, 1f, Cpu(a).Array, aOffset, lda, Cpu(b).Array, bOffset, ldb, 0f, Cpu(c).Array, cOffset, n,
            Sgemm.MaxThreads, DeepLearning.Backends.Cpu.Gemm.PackedGemm.WideByDefault, bias is null ? null : Cpu(bias).Array, biasOffset, relu);
        if (!relu && activation != UnaryOp.Identity) Unary(activation, alpha, c, cOffset, c, cOffset, m * n);
    }
}
