using DeepLearning.Backends;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>Memory, copies (blocks, strided gathers) and the fused softmax kernels against references.</summary>
public class CpuBackendTests
{
    [Fact]
    public void Allocate_upload_download_fill()
    {
        var b = Backend.Allocate(10);
        Assert.Equal(10, b.Length);
        Assert.Same(Backend, b.Backend);
        Backend.Fill(b, 0, 10, 2);
        Backend.Upload([7f, 8], b, 3);
        Assert.Equal([2f, 2, 2, 7, 8, 2, 2, 2, 2, 2], Read(b, 0, 10));
        b.Release();
        Assert.True(b.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => b.Retain());
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.Allocate(-1));
    }

    [Fact]
    public void CopyBlocks_copies_strided_blocks()
    {
        var src = With(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), 2);
        var dst = Empty(12, 1);
        // 3 blocks of 3: from 2 + {1, 6, 11} to 1 + {0, 4, 8}.
        Backend.CopyBlocks(src, 3, 5, dst, 1, 4, 3, 3);
        Assert.Equal([1f, 2, 3, Guard, 6, 7, 8, Guard, 11, 12, 13, Guard], Read(dst, 1, 12));
        src.Release();
        dst.Release();
    }

    public static TheoryData<int[], int[]> Permutations => new()
    {
        { [2, 3, 4], [0, 1, 2] },
        { [2, 3, 4], [2, 0, 1] },
        { [2, 3, 4], [1, 0, 2] },
        { [2, 3, 4], [2, 1, 0] },
        { [3, 1, 2, 5], [3, 1, 0, 2] },
        { [17, 9], [1, 0] },
        { [2, 2, 2, 2, 3], [4, 3, 2, 1, 0] },
        { [0, 3], [1, 0] },
    };

    [Theory]
    [MemberData(nameof(Permutations))]
    public void CopyStrided_permutes(int[] dims, int[] perm)
    {
        var s = new Shape(dims);
        var strides = s.Strides();
        int rank = dims.Length;
        var outDims = perm.Select(p => dims[p]).ToArray();
        var outStrides = perm.Select(p => strides[p]).ToArray();
        var x = Enumerable.Range(0, s.Length).Select(i => (float)i).ToArray();
        var xb = With(x, 3);
        var yb = Empty(s.Length, 1);
        Backend.CopyStrided(xb, 3, outStrides, yb, 1, outDims);
        var y = Read(yb, 1, s.Length);
        var idx = new int[rank];
        for (int i = 0; i < s.Length; i++)
        {
            int rem = i;
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d] = rem % outDims[d];
                rem /= outDims[d];
            }
            // Output index idx reads input element with axis perm[d] at idx[d].
            int src = 0;
            for (int d = 0; d < rank; d++) src += idx[d] * strides[perm[d]];
            Assert.Equal(x[src], y[i]);
        }
        AssertGuards(yb, 1, s.Length, "CopyStrided");
        xb.Release();
        yb.Release();
    }

    [Fact]
    public void CopyStrided_broadcasts_with_zero_strides()
    {
        // [3] read as [2, 3] (rows repeat) and as [3, 2] (each element repeats along the row).
        var xb = With([1f, 2, 3], 2);
        var yb = Empty(6, 0);
        Backend.CopyStrided(xb, 2, [0, 1], yb, 0, [2, 3]);
        Assert.Equal([1f, 2, 3, 1, 2, 3], Read(yb, 0, 6));
        Backend.CopyStrided(xb, 2, [1, 0], yb, 0, [3, 2]);
        Assert.Equal([1f, 1, 2, 2, 3, 3], Read(yb, 0, 6));
        Backend.CopyStrided(xb, 3, [], yb, 0, []);
        Assert.Equal(2f, Read(yb, 0, 1)[0]);
        xb.Release();
        yb.Release();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Softmax_matches_reference_at_every_length(bool log)
    {
        const int rows = 2;
        for (int cols = 0; cols <= 256; cols++)
        {
            int off = cols % 4, yo = (cols + 1) % 4;
            var x = TestData.Uniform(rows * cols, cols, -5, 5);
            var xb = With(x, off);
            var yb = Empty(rows * cols, yo);
            Backend.Softmax(xb, off, yb, yo, rows, cols, log);
            var y = Read(yb, yo, rows * cols);
            var expected = new double[rows * cols];
            for (int r = 0; r < rows; r++)
            {
                double m = double.NegativeInfinity, s = 0;
                for (int j = 0; j < cols; j++) m = Math.Max(m, x[r * cols + j]);
                for (int j = 0; j < cols; j++) s += Math.Exp(x[r * cols + j] - m);
                for (int j = 0; j < cols; j++)
                {
                    double v = x[r * cols + j] - m;
                    expected[r * cols + j] = log ? v - Math.Log(s) : Math.Exp(v) / s;
                }
            }
            for (int i = 0; i < y.Length; i++) AssertNear(expected[i], y[i], 1e-5, 1e-6, $"softmax(log={log}) cols={cols} [{i}]");
            AssertGuards(yb, yo, rows * cols, $"softmax cols={cols}");

            // Backward from the forward output.
            var dy = TestData.Uniform(rows * cols, 100 + cols, -1, 1);
            var gb = With(dy, (off + 2) % 4);
            var db = Empty(rows * cols, (off + 3) % 4);
            Backend.SoftmaxBackward(yb, yo, gb, (off + 2) % 4, db, (off + 3) % 4, rows, cols, log);
            var dx = Read(db, (off + 3) % 4, rows * cols);
            for (int r = 0; r < rows; r++)
            {
                double dot = 0, sum = 0;
                for (int j = 0; j < cols; j++)
                {
                    dot += (double)dy[r * cols + j] * y[r * cols + j];
                    sum += dy[r * cols + j];
                }
                for (int j = 0; j < cols; j++)
                {
                    int i = r * cols + j;
                    double e = log ? dy[i] - Math.Exp(y[i]) * sum : y[i] * (dy[i] - dot);
                    AssertNear(e, dx[i], 1e-5, 1e-5, $"softmax′(log={log}) cols={cols} [{i}]");
                }
            }
            foreach (var b in new[] { xb, yb, gb, db }) b.Release();
        }
    }

    public static TheoryData<float[]> DominatedRows => new()
    {
        new float[] { 20f, 0f, 0f, 0f },
        new float[] { 3f, 40f, -1f, 2f, 0.5f, 1f, 7f, -30f, 5f, 4f, 3f, 2f, 1f, 0f, -1f, -2f, -3f, 23f },
        new float[] { -100f, -117f, -100f },
    };

    [Theory]
    [MemberData(nameof(DominatedRows))]
    public void Log_softmax_keeps_relative_accuracy_where_one_entry_dominates(float[] x)
    {
        // The dominant entry's log-probability is −ln(1 + Σ others) ≈ −Σ others, far below ε: it must not round to 0.
        double m = x.Max(), rest = x.Sum(v => v == m ? 0 : Math.Exp(v - m)) + (x.Count(v => v == m) - 1);
        double lse = rest < 1e-5 ? rest - rest * rest / 2 : Math.Log(1 + rest);
        var xb = With(x, 0);
        var yb = Empty(x.Length, 0);
        Backend.Softmax(xb, 0, yb, 0, 1, x.Length, log: true);
        var y = Read(yb, 0, x.Length);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = x[i] - m - lse;
            Assert.True(Math.Abs(y[i] - expected) <= 2 * Math.Pow(2, -23) * Math.Abs(expected),
                $"log-softmax [{i}] of x = {x[i]}: got {y[i]:G9}, expected {expected:G17}");
        }
        xb.Release();
        yb.Release();
    }
}
