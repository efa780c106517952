using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// The sequence kernels at offsets and row strides wider than a row (the layouts the ops use inside larger buffers),
/// against plain double-precision references: the forward formulas written out, and the backward kernels against
/// central differences of those forward formulas, so no backward formula is checked against itself.
/// </summary>
public class CpuBackendSequenceTests
{
    private static float[] Rand(int n, int seed, double lo = -1, double hi = 1) => TestData.Uniform(n, seed, lo, hi);

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static void Close(double expected, float actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    /// <summary>Central difference of <paramref name="f"/> with respect to <c>v[i]</c>, in double.</summary>
    private static double Numeric(Func<double[], double> f, double[] v, int i)
    {
        const double h = 1e-6;
        double keep = v[i];
        v[i] = keep + h;
        double up = f(v);
        v[i] = keep - h;
        double down = f(v);
        v[i] = keep;
        return (up - down) / (2 * h);
    }

    [Fact]
    public void Embedding_lookup_and_scatter_add_at_offsets()
    {
        int vocab = 5, dim = 3, count = 6;
        var table = Rand(vocab * dim, 1);
        float[] ids = [4, 0, 4, 2, 4, 1];
        var dy = Rand(count * dim, 2);
        var tb = With(table, 3);
        var ib = With(ids, 2);
        var yb = Empty(count * dim, 4);
        Backend.EmbeddingLookup(tb, 3, vocab, dim, ib, 2, count, yb, 4);
        var y = Read(yb, 4, count * dim);
        for (int i = 0; i < count; i++)
            for (int d = 0; d < dim; d++) Assert.Equal(table[(int)ids[i] * dim + d], y[i * dim + d]);
        AssertGuards(yb, 4, count * dim, "EmbeddingLookup");

        var gb = With(dy, 1);
        var db = Empty(vocab * dim, 6);
        Backend.EmbeddingBackward(gb, 1, ib, 2, count, db, 6, vocab, dim);
        var dTable = Read(db, 6, vocab * dim);
        var expected = new double[vocab * dim];
        for (int i = 0; i < count; i++)
            for (int c = 0; c < dim; c++) expected[(int)ids[i] * dim + c] += dy[i * dim + c];
        for (int i = 0; i < expected.Length; i++) Close(expected[i], dTable[i], 1e-6, $"dTable[{i}]");
        AssertGuards(db, 6, vocab * dim, "EmbeddingBackward");
    }

    [Fact]
    public void Layer_norm_backward_matches_central_differences_of_the_forward_formula()
    {
        int rows = 3, cols = 7;
        float[] x = Rand(rows * cols, 3, -2, 2), gamma = Rand(cols, 4, 0.5, 1.5), beta = Rand(cols, 5), dy = Rand(rows * cols, 6);
        var xb = With(x, 2);
        var gb = With(gamma, 1);
        var bb = With(beta, 3);
        var yb = Empty(rows * cols, 1);
        var mb = Empty(rows, 2);
        var rb = Empty(rows, 3);
        Backend.LayerNorm(xb, 2, gb, 1, bb, 3, yb, 1, mb, 2, rb, 3, rows, cols, 1e-5f);
        // L = Σ dy ⊙ y with y the layer norm written out in double.
        double Loss(double[] xv, double[] gv, double[] bv)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++)
            {
                double mean = 0, var = 0;
                for (int c = 0; c < cols; c++) mean += xv[r * cols + c];
                mean /= cols;
                for (int c = 0; c < cols; c++) var += (xv[r * cols + c] - mean) * (xv[r * cols + c] - mean);
                var /= cols;
                for (int c = 0; c < cols; c++)
                    sum += dy[r * cols + c] * ((xv[r * cols + c] - mean) / Math.Sqrt(var + 1e-5) * gv[c] + bv[c]);
            }
            return sum;
        }
        double[] xd = [.. x.Select(v => (double)v)], gd = [.. gamma.Select(v => (double)v)], bd = [.. beta.Select(v => (double)v)];
        var dyb = With(dy, 4);
        var dxb = Empty(rows * cols, 2);
        var dgb = Empty(cols, 5);
        var dbb = Empty(cols, 1);
        Backend.LayerNormBackward(xb, 2, gb, 1, mb, 2, rb, 3, dyb, 4, dxb, 2, dgb, 5, dbb, 1, rows, cols);
        var dx = Read(dxb, 2, rows * cols);
        var dg = Read(dgb, 5, cols);
        var dbv = Read(dbb, 1, cols);
        for (int i = 0; i < x.Length; i++) Close(Numeric(v => Loss(v, gd, bd), xd, i), dx[i], 1e-4, $"dx[{i}]");
        for (int i = 0; i < cols; i++)
        {
            Close(Numeric(v => Loss(xd, v, bd), gd, i), dg[i], 1e-4, $"dγ[{i}]");
            Close(Numeric(v => Loss(xd, gd, v), bd, i), dbv[i], 1e-4, $"dβ[{i}]");
        }
        AssertGuards(dxb, 2, rows * cols, "LayerNormBackward dx");
    }

    [Fact]
    public void Layer_norm_forward_and_backward_match_a_double_reference_at_every_length()
    {
        const int rows = 2;
        for (int cols = 1; cols <= 256; cols++)
        {
            int off = cols % 4;
            int n = rows * cols;
            // A mean far from 0: statistics from E[x²] − E[x]² would lose it.
            float[] x = Rand(n, 100 + cols, 30, 34), gamma = Rand(cols, 200 + cols, 0.5, 1.5), beta = Rand(cols, 300 + cols), dy = Rand(n, 400 + cols);
            var xb = With(x, off);
            var gb = With(gamma, (off + 1) % 4);
            var bb = With(beta, (off + 2) % 4);
            var yb = Empty(n, (off + 3) % 4);
            var mb = Empty(rows, 1);
            var rb = Empty(rows, 2);
            Backend.LayerNorm(xb, off, gb, (off + 1) % 4, bb, (off + 2) % 4, yb, (off + 3) % 4, mb, 1, rb, 2, rows, cols, 1e-5f);
            var y = Read(yb, (off + 3) % 4, n);
            var dyb = With(dy, off);
            var dxb = Empty(n, (off + 1) % 4);
            var dgb = Empty(cols, 3);
            var dbb = Empty(cols, 1);
            Backend.LayerNormBackward(xb, off, gb, (off + 1) % 4, mb, 1, rb, 2, dyb, off, dxb, (off + 1) % 4, dgb, 3, dbb, 1, rows, cols);
            var dx = Read(dxb, (off + 1) % 4, n);
            double[] dgE = new double[cols], dbE = new double[cols];
            for (int r = 0; r < rows; r++)
            {
                double m = 0, v = 0;
                for (int j = 0; j < cols; j++) m += x[r * cols + j];
                m /= cols;
                for (int j = 0; j < cols; j++) v += (x[r * cols + j] - m) * (x[r * cols + j] - m);
                double rstd = 1 / Math.Sqrt(v / cols + 1e-5), a = 0, b = 0;
                var xh = new double[cols];
                for (int j = 0; j < cols; j++)
                {
                    int i = r * cols + j;
                    xh[j] = (x[i] - m) * rstd;
                    Close(xh[j] * gamma[j] + beta[j], y[i], 1e-4, $"y cols={cols} [{i}]");
                    double gh = dy[i] * gamma[j];
                    a += gh;
                    b += gh * xh[j];
                    dgE[j] += dy[i] * xh[j];
                    dbE[j] += dy[i];
                }
                for (int j = 0; j < cols; j++)
                    Close((dy[r * cols + j] * gamma[j] - a / cols - xh[j] * b / cols) * rstd, dx[r * cols + j], 1e-3, $"dx cols={cols} [{r * cols + j}]");
            }
            var dg = Read(dgb, 3, cols);
            var dbv = Read(dbb, 1, cols);
            for (int j = 0; j < cols; j++)
            {
                Close(dgE[j], dg[j], 1e-4, $"dγ cols={cols} [{j}]");
                Close(dbE[j], dbv[j], 1e-5, $"dβ cols={cols} [{j}]");
            }
            AssertGuards(yb, (off + 3) % 4, n, $"LayerNorm y cols={cols}");
            AssertGuards(dxb, (off + 1) % 4, n, $"LayerNorm dx cols={cols}");
            foreach (var buf in new[] { xb, gb, bb, yb, mb, rb, dyb, dxb, dgb, dbb }) buf.Release();
        }
    }

    [Fact]
    public void Lstm_cell_forward_and_backward_at_row_strides()
    {
        int batch = 3, n = 4, gs = 4 * n + 3, cs = n + 2;   // rows padded: strides wider than the rows
        float[] pre = Rand(batch * gs, 7, -2, 2), cPrev = Rand(batch * cs, 8), dh = Rand(batch * cs, 9), dc = Rand(batch * cs, 10);
        // h, c of row b written out in double from the pre-activations and c_prev.
        (double[] H, double[] C) Forward(double[] p, double[] cp)
        {
            var h = new double[batch * n];
            var c = new double[batch * n];
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++)
                {
                    double i = Sigmoid(p[b * gs + j]), f = Sigmoid(p[b * gs + n + j]), g = Math.Tanh(p[b * gs + 2 * n + j]), o = Sigmoid(p[b * gs + 3 * n + j]);
                    c[b * n + j] = f * cp[b * cs + j] + i * g;
                    h[b * n + j] = o * Math.Tanh(c[b * n + j]);
                }
            return (h, c);
        }
        double Loss(double[] p, double[] cp)
        {
            var (h, c) = Forward(p, cp);
            double s = 0;
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++) s += dh[b * cs + j] * h[b * n + j] + dc[b * cs + j] * c[b * n + j];
            return s;
        }
        var gb = With(pre, 1);
        var cpb = With(cPrev, 2);
        var cb = Empty(batch * cs, 3);
        var hb = Empty(batch * cs, 1);
        Backend.LstmCell(batch, n, gb, 1, gs, cpb, 2, cs, cb, 3, cs, hb, 1, cs);
        double[] pd = [.. pre.Select(v => (double)v)], cpd = [.. cPrev.Select(v => (double)v)];
        var (eh, ec) = Forward(pd, cpd);
        var h = Read(hb, 1, batch * cs);
        var c = Read(cb, 3, batch * cs);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < n; j++)
            {
                Close(eh[b * n + j], h[b * cs + j], 1e-5, $"h[{b},{j}]");
                Close(ec[b * n + j], c[b * cs + j], 1e-5, $"c[{b},{j}]");
            }

        var dhb = With(dh, 2);
        var dcb = With(dc, 1);
        var dgb = Empty(batch * gs, 2);
        var dcpb = Empty(batch * cs, 4);
        Backend.LstmCellBackward(batch, n, gb, 1, gs, cpb, 2, cs, cb, 3, cs, dhb, 2, cs, dcb, 1, cs, dgb, 2, gs, dcpb, 4, cs);
        var dg = Read(dgb, 2, batch * gs);
        var dcp = Read(dcpb, 4, batch * cs);
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < 4 * n; j++) Close(Numeric(v => Loss(v, cpd), pd, b * gs + j), dg[b * gs + j], 1e-4, $"dGates[{b},{j}]");
            for (int j = 0; j < n; j++) Close(Numeric(v => Loss(pd, v), cpd, b * cs + j), dcp[b * cs + j], 1e-4, $"dcPrev[{b},{j}]");
        }
    }

    [Fact]
    public void Gru_cell_forward_and_backward_at_row_strides()
    {
        int batch = 2, n = 3, gs = 3 * n + 2, hs = n + 1;
        float[] xp = Rand(batch * gs, 11, -2, 2), hp = Rand(batch * gs, 12, -2, 2), hPrev = Rand(batch * hs, 13), dh = Rand(batch * hs, 14);
        double[] Forward(double[] x, double[] hpv, double[] prev)
        {
            var h = new double[batch * n];
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++)
                {
                    double r = Sigmoid(x[b * gs + j] + hpv[b * gs + j]), z = Sigmoid(x[b * gs + n + j] + hpv[b * gs + n + j]);
                    double nn = Math.Tanh(x[b * gs + 2 * n + j] + r * hpv[b * gs + 2 * n + j]);
                    h[b * n + j] = (1 - z) * nn + z * prev[b * hs + j];
                }
            return h;
        }
        double Loss(double[] x, double[] hpv, double[] prev)
        {
            var h = Forward(x, hpv, prev);
            double s = 0;
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < n; j++) s += dh[b * hs + j] * h[b * n + j];
            return s;
        }
        double[] xd = [.. xp.Select(v => (double)v)], hd = [.. hp.Select(v => (double)v)], pd = [.. hPrev.Select(v => (double)v)];
        var xb = With(xp, 1);
        var hpb = With(hp, 2);
        var pb = With(hPrev, 3);
        var hb = Empty(batch * hs, 2);
        Backend.GruCell(batch, n, xb, 1, gs, hpb, 2, gs, pb, 3, hs, hb, 2, hs);
        var expected = Forward(xd, hd, pd);
        var h = Read(hb, 2, batch * hs);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < n; j++) Close(expected[b * n + j], h[b * hs + j], 1e-5, $"h[{b},{j}]");

        var dhb = With(dh, 1);
        var dxb = Empty(batch * gs, 3);
        var dhpb = Empty(batch * gs, 1);
        var dpb = Empty(batch * hs, 2);
        Backend.GruCellBackward(batch, n, xb, 1, gs, hpb, 2, gs, pb, 3, hs, dhb, 1, hs, dxb, 3, gs, dhpb, 1, gs, dpb, 2, hs);
        float[] dx = Read(dxb, 3, batch * gs), dhp = Read(dhpb, 1, batch * gs), dp = Read(dpb, 2, batch * hs);
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < 3 * n; j++)
            {
                Close(Numeric(v => Loss(v, hd, pd), xd, b * gs + j), dx[b * gs + j], 1e-4, $"dxp[{b},{j}]");
                Close(Numeric(v => Loss(xd, v, pd), hd, b * gs + j), dhp[b * gs + j], 1e-4, $"dhp[{b},{j}]");
            }
            for (int j = 0; j < n; j++) Close(Numeric(v => Loss(xd, hd, v), pd, b * hs + j), dp[b * hs + j], 1e-4, $"dhPrev[{b},{j}]");
        }
    }
}
