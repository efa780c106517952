using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu.Gemm;

/// <summary>
/// The unpacked path for problems too small for packing to pay (and for matrix·vector shapes, which are memory
/// bound): row by row, an axpy over contiguous rows of B, or dot products with contiguous rows of Bᵀ.
/// No buffers, no threads, so a tiny product costs little more than its arithmetic.
/// </summary>
internal static unsafe class SmallGemm
{
    /// <summary><c>C = α·op(A)·op(B) + β·C</c>; element (i, p) of op(A) is at <c>a[i·aRow + p·aCol]</c>.</summary>
    public static void Run(bool transB, int m, int n, int k, float alpha, float* a, long aRow, long aCol,
        float* b, long ldb, float beta, float* c, long ldc, in Epilogue epilogue = default)
    {
        Span<float> rowA = k <= 1024 ? stackalloc float[k] : RowBuffer(k);
        for (int i = 0; i < m; i++)
        {
            var ci = new Span<float>(c + i * ldc, n);
            // β = 0 must not read C: its memory may be uninitialised, and 0·NaN would be NaN.
            if (beta == 0f) ci.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(ci, beta, ci);
            float* ai = a + i * aRow;
            if (!transB)
            {
                for (int p = 0; p < k; p++)
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(b + p * ldb, n), alpha * ai[p * aCol], ci, ci);
                epilogue.Apply(c + i * ldc, ldc, 1, n, 0);
                continue;
            }
            // op(B) = Bᵀ: column j of op(B) is row j of B, contiguous; gather row i of op(A) once.
            for (int p = 0; p < k; p++) rowA[p] = ai[p * aCol];
            for (int j = 0; j < n; j++)
                ci[j] += alpha * TensorPrimitives.Dot(rowA, new ReadOnlySpan<float>(b + j * ldb, k));
            epilogue.Apply(c + i * ldc, ldc, 1, n, 0);
        }
    }

    [ThreadStatic] private static float[]? t_row;

    /// <summary>A reused per-thread row for long k (no allocation per call in steady state).</summary>
    private static Span<float> RowBuffer(int k)
    {
        if (t_row is null || t_row.Length < k) t_row = new float[k];
        return t_row.AsSpan(0, k);
    }
}
