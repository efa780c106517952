using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// Row-major single-precision GEMM, <c>C = α·op(A)·op(B) + β·C</c>. The one place matrix products are computed on
/// the CPU, so a faster kernel replaces this method alone.
/// </summary>
internal static class Sgemm
{
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
    {
        if (m == 0 || n == 0) return;
        long work = (long)m * n * k;
        if (work >= 1 << 18 && m > 1)
            Parallel.For(0, m, i => Row(i, transA, transB, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc));
        else
            for (int i = 0; i < m; i++) Row(i, transA, transB, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    private static void Row(int i, bool transA, bool transB, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc)
    {
        var ci = c.AsSpan(cOffset + i * ldc, n);
        // β = 0 must not read C: its memory may be uninitialised, and 0·NaN would be NaN.
        if (beta == 0f) ci.Clear();
        else if (beta != 1f) TensorPrimitives.Multiply(ci, beta, ci);
        if (k == 0) return;
        if (transB)
        {
            Span<float> ai = k <= 1024 ? stackalloc float[k] : new float[k];
            for (int p = 0; p < k; p++) ai[p] = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
            for (int j = 0; j < n; j++)
                ci[j] += alpha * TensorPrimitives.Dot(ai, b.AsSpan(bOffset + j * ldb, k));
            return;
        }
        for (int p = 0; p < k; p++)
        {
            float s = alpha * (transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p]);
            TensorPrimitives.MultiplyAdd(b.AsSpan(bOffset + p * ldb, n), s, ci, ci);
        }
    }
}
