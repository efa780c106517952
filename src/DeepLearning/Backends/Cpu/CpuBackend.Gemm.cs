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
        for (int i = 0; i < batch; i++)
            Sgemm.Multiply(transA, transB, m, n, k, alpha,
                av, checked((int)(aOffset + i * strideA)), lda,
                bv, checked((int)(bOffset + i * strideB)), ldb,
                beta, cv, checked((int)(cOffset + i * strideC)), ldc);
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
