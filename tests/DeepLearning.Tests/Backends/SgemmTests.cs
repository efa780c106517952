using DeepLearning.Backends.Cpu;

namespace DeepLearning.Tests.Backends;

/// <summary>
/// Sgemm against a double-accumulating reference over a sampled sweep of odd sizes (1…300 per dimension, primes,
/// non-multiples of the micro-tile and cache-block sizes), every transpose combination and α/β variant, with
/// padded leading dimensions and offsets; both micro-kernels (Vector512 where AVX-512 exists, and Vector256).
/// </summary>
public class SgemmTests
{
    private static readonly int[] EdgeSizes = [1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31, 32, 33, 47, 63, 64, 65, 97, 127, 128, 129, 191, 193, 255, 256, 257, 299, 300];

    public static TheoryData<bool, bool, float, float, bool> Variants()
    {
        var data = new TheoryData<bool, bool, float, float, bool>();
        foreach (var (alpha, beta) in new[] { (1f, 0f), (0.5f, 1f), (-1.5f, 0.25f) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(ta, tb, alpha, beta, true);
        // The Vector256 kernel (CPUs without AVX-512) on a subset; its packing and edges are the same code.
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                data.Add(ta, tb, 0.5f, ta == tb ? 0f : 1f, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MatchesReference_OverSampledSizes(bool transA, bool transB, float alpha, float beta, bool wide)
    {
        var rng = new Random((transA ? 1 : 0) + (transB ? 2 : 0) + (int)(alpha * 8) * 4 + (int)(beta * 8) * 64 + (wide ? 0 : 4096));
        for (int trial = 0; trial < 24; trial++)
        {
            int m = Pick(rng), n = Pick(rng), k = Pick(rng);
            CheckCase(rng, transA, transB, m, n, k, alpha, beta, wide);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MatchesReference_OnTinyAndVectorShapes(bool transA, bool transB, float alpha, float beta, bool wide)
    {
        var rng = new Random(7);
        int[][] shapes = [[1, 1, 1], [1, 10, 10], [10, 10, 10], [10, 1, 10], [3, 200, 150], [200, 3, 150], [150, 200, 1], [1, 300, 300], [300, 1, 300], [4, 4, 4], [9, 33, 2], [64, 16, 64], [40, 600, 24]];
        foreach (var s in shapes) CheckCase(rng, transA, transB, s[0], s[1], s[2], alpha, beta, wide);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void BetaZero_NeverReadsC(bool transA, bool transB)
    {
        var rng = new Random(3);
        foreach (var (m, n, k) in new[] { (5, 7, 3), (37, 41, 43), (129, 65, 257), (300, 290, 280) })
        {
            var (a, lda) = Matrix(rng, transA ? k : m, transA ? m : k, 0);
            var (b, ldb) = Matrix(rng, transB ? n : k, transB ? k : n, 0);
            var c = new float[m * n];
            Array.Fill(c, float.NaN);
            Sgemm.Multiply(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
            Assert.All(c, v => Assert.True(float.IsFinite(v), $"({m},{n},{k}): C has {v}"));
        }
    }

    [Theory]
    [InlineData(false, false, 300, 290, 280)]
    [InlineData(true, true, 257, 301, 129)]
    [InlineData(false, true, 128, 512, 784)]
    [InlineData(true, false, 512, 784, 128)]
    public void Results_AreDeterministic_AndAgreeAcrossThreadCounts(bool transA, bool transB, int m, int n, int k)
    {
        var rng = new Random(11);
        var (a, lda) = Matrix(rng, transA ? k : m, transA ? m : k, 0);
        var (b, ldb) = Matrix(rng, transB ? n : k, transB ? k : n, 0);
        float[] Run(int threads)
        {
            var c = new float[m * n];
            Sgemm.Multiply(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, threads, wide: true);
            return c;
        }
        var first = Run(2);
        Assert.Equal(first, Run(2));
        var single = Run(1);
        Assert.Equal(single, Run(1));
        var three = Run(3);
        // Splits fall on micro-tile boundaries and never change the summation order of an element, so thread
        // counts agree bitwise, not just within rounding.
        Assert.Equal(single, first);
        Assert.Equal(single, three);
        var expected = Reference(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, new float[m * n], 0, n, out var scale);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.True(Math.Abs(first[i] - expected[i]) <= Tolerance(k, scale[i]), $"element {i}: {first[i]} vs reference {expected[i]}");
        }
    }

    [Fact]
    public void AlphaZero_ScalesCByBeta()
    {
        var a = new float[] { float.NaN, 1, 2, 3 };
        var c = new float[] { 1, 2, 3, 4 };
        Sgemm.Multiply(false, false, 2, 2, 2, 0f, a, 0, 2, a, 0, 2, 0.5f, c, 0, 2);
        Assert.Equal(new float[] { 0.5f, 1, 1.5f, 2 }, c);
    }

    [Fact]
    public void TooShortArray_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Sgemm.Multiply(false, false, 4, 4, 4, 1f, new float[15], 0, 4, new float[16], 0, 4, 0f, new float[16], 0, 4));
        Assert.Contains("A [4,4]", ex.Message, StringComparison.Ordinal);
    }

    private static int Pick(Random rng) =>
        rng.Next(3) == 0 ? EdgeSizes[rng.Next(EdgeSizes.Length)] : rng.Next(1, 301);

    private static void CheckCase(Random rng, bool transA, bool transB, int m, int n, int k, float alpha, float beta, bool wide)
    {
        int pad = rng.Next(3);
        var (a, lda) = Matrix(rng, transA ? k : m, transA ? m : k, pad, offset: 3);
        var (b, ldb) = Matrix(rng, transB ? n : k, transB ? k : n, pad, offset: 5);
        var (c, ldc) = Matrix(rng, m, n, pad, offset: 2);
        var expected = Reference(transA, transB, m, n, k, alpha, a, 3, lda, b, 5, ldb, beta, c, 2, ldc, out var scale);
        Sgemm.Multiply(transA, transB, m, n, k, alpha, a, 3, lda, b, 5, ldb, beta, c, 2, ldc, Environment.ProcessorCount, wide);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double got = c[2 + i * ldc + j], want = expected[i * n + j];
                double tol = Tolerance(k, scale[i * n + j]);
                Assert.True(Math.Abs(got - want) <= tol,
                    $"wide={wide} transA={transA} transB={transB} m={m} n={n} k={k} α={alpha} β={beta}: C[{i},{j}] = {got}, expected {want}");
            }
    }

    /// <summary>The standard float GEMM error bound, (k + 2)·u·(|α|·Σ|a||b| + |β·c|), with a little slack.</summary>
    private static double Tolerance(int k, double scale) => (k + 4) * 1.2e-7 * scale + 1e-30;

    private static (float[] Data, int Ld) Matrix(Random rng, int rows, int cols, int pad, int offset = 0)
    {
        int ld = cols + pad;
        var data = new float[offset + rows * ld];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return (data, ld);
    }

    private static double[] Reference(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int ao, int lda, float[] b, int bo, int ldb, float beta, float[] c, int co, int ldc, out double[] scale)
    {
        var r = new double[m * n];
        scale = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = transA ? a[ao + p * lda + i] : a[ao + i * lda + p];
                    double y = transB ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                    s += x * y;
                    abs += Math.Abs(x * y);
                }
                double cv = beta == 0 ? 0 : (double)beta * c[co + i * ldc + j];
                r[i * n + j] = alpha * s + cv;
                scale[i * n + j] = Math.Abs(alpha) * abs + Math.Abs(cv);
            }
        return r;
    }
}
