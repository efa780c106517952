using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>Batched GEMM against a naive triple loop in double, for every transpose flag, odd sizes, padded rows, α and β.</summary>
public class CpuBackendGemmTests
{
    public static TheoryData<bool, bool, int, int, int> Cases
    {
        get
        {
            var data = new TheoryData<bool, bool, int, int, int>();
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 5, 7), (17, 13, 9), (2, 33, 65), (65, 1, 3), (70, 70, 70), (4, 3, 0) })
                        data.Add(ta, tb, m, n, k);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gemm_matches_naive_triple_loop(bool ta, bool tb, int m, int n, int k)
    {
        const int batch = 2, pad = 3;
        // Stored shapes: A is [m,k] or [k,m]; B is [k,n] or [n,k]; each row padded by `pad` (lda > columns).
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        long strideA = (long)aRows * lda + 1, strideB = (long)bRows * ldb + 2, strideC = (long)m * ldc + 3;
        var a = TestData.Uniform((int)(batch * strideA), 1);
        var b = TestData.Uniform((int)(batch * strideB), 2);
        var c0 = TestData.Uniform((int)(batch * strideC), 3);
        foreach (var (alpha, beta) in new[] { (1f, 0f), (1.5f, 0.5f), (-1f, 1f) })
        {
            var ab = With(a, 1);
            var bb = With(b, 2);
            var c = (float[])c0.Clone();
            if (beta == 0) Array.Fill(c, float.NaN); // β = 0 must not read C
            var cb = With(c, 3);
            Backend.Gemm(ta, tb, m, n, k, alpha, ab, 1, lda, strideA, bb, 2, ldb, strideB, beta, cb, 3, ldc, strideC, batch);
            var result = Read(cb, 3, c.Length);
            for (int p = 0; p < batch; p++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < ldc && i * ldc + j < strideC; j++)
                    {
                        long at = p * strideC + i * ldc + j;
                        if (j >= n)
                        {
                            // Padding between rows is never written.
                            Assert.True(c[at].Equals(result[at]), $"padding at batch {p} [{i},{j}] was written");
                            continue;
                        }
                        double dot = 0, abs = 0;
                        for (int q = 0; q < k; q++)
                        {
                            double av = ta ? a[p * strideA + q * lda + i] : a[p * strideA + i * lda + q];
                            double bv = tb ? b[p * strideB + j * ldb + q] : b[p * strideB + q * ldb + j];
                            dot += av * bv;
                            abs += Math.Abs(av * bv);
                        }
                        double expected = alpha * dot + (beta == 0 ? 0 : beta * c[at]);
                        AssertNear(expected, result[at], 0, 1e-6 * (abs + 1), $"ta={ta} tb={tb} α={alpha} β={beta} batch {p} [{i},{j}]");
                    }
            foreach (var buf in new[] { ab, bb, cb }) buf.Release();
        }
    }

    public static TheoryData<int, int, int, bool, bool> EpilogueCases => new()
    {
        // The unpacked small path, the packed path, and products large enough to split over threads by rows and by columns.
        { 3, 5, 7, true, true }, { 2, 40, 9, false, true }, { 37, 45, 29, true, false }, { 37, 45, 29, false, false },
        { 37, 45, 29, true, true }, { 300, 70, 64, true, true }, { 70, 300, 64, true, true }, { 128, 512, 196, true, true },
    };

    [Theory]
    [MemberData(nameof(EpilogueCases))]
    public void Gemm_with_bias_and_relu_epilogue_matches_the_composition(int m, int n, int k, bool withBias, bool relu)
    {
        var x = TestData.Uniform(m * k, 11);
        var w = TestData.Uniform(n * k, 12);
        var bias = TestData.Uniform(n, 13);
        var xb = With(x, 1);
        var wb = With(w, 2);
        var biasBuffer = With(bias, 3);
        var yb = With(Enumerable.Repeat(float.NaN, m * n).ToArray(), 4); // C is written, never read
        Backend.GemmBiasActivation(false, true, m, n, k, xb, 1, k, wb, 2, k, withBias ? biasBuffer : null, 3,
            relu ? DeepLearning.Backends.UnaryOp.Relu : DeepLearning.Backends.UnaryOp.Identity, 0f, yb, 4);
        var y = Read(yb, 4, m * n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double z = withBias ? bias[j] : 0;
                for (int p = 0; p < k; p++) z += (double)x[i * k + p] * w[j * k + p];
                if (relu) z = Math.Max(z, 0);
                AssertNear(z, y[i * n + j], 1e-4, 1e-4 * k, $"[{m},{n},{k}] bias={withBias} relu={relu} at ({i},{j})");
            }
        AssertGuards(yb, 4, m * n, "GemmBiasActivation");
        foreach (var b in new[] { xb, wb, biasBuffer, yb }) b.Release();
    }
}
