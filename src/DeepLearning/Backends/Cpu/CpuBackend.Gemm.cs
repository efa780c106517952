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
}
