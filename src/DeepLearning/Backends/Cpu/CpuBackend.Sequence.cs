using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

// Sequence-model kernels (see IBackend.Sequence.cs; the embedding is in CpuBackend.Embedding.cs): row loops over spans,
// the transcendental functions vectorised by TensorPrimitives, layer norm's rows as fused Vector512 passes. They run on
// the calling thread: next to the GEMMs of a recurrent step or a transformer block they are a few percent.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void LayerNorm(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset,
        DeviceBuffer y, int yOffset, DeviceBuffer mean, int meanOffset, DeviceBuffer rstd, int rstdOffset, int rows, int cols, float epsilon)
    {
        var xs = Cpu(x);
        var ys = Cpu(y);
        var gm = Cpu(gamma).AsSpan(gammaOffset, cols);
        var bt = Cpu(beta).AsSpan(betaOffset, cols);
        var mu = Cpu(mean).AsSpan(meanOffset, rows);
        var rs = Cpu(rstd).AsSpan(rstdOffset, rows);
        if (Vector512.IsHardwareAccelerated)
        {
            for (int r = 0; r < rows; r++)
                (mu[r], rs[r]) = LayerNormRow512(xs.AsSpan(xOffset + r * cols, cols), gm, bt, ys.AsSpan(yOffset + r * cols, cols), epsilon);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.AsSpan(xOffset + r * cols, cols);
            var yr = ys.AsSpan(yOffset + r * cols, cols);
            // Two passes (mean, then squares of the centred values): no cancellation as in E[x²] − E[x]².
            float m = TensorPrimitives.Sum(xr) / cols;
            TensorPrimitives.Subtract(xr, m, yr);
            float inv = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(yr) / cols + epsilon);
            mu[r] = m;
            rs[r] = inv;
            TensorPrimitives.Multiply(yr, inv, yr);
            TensorPrimitives.FusedMultiplyAdd(yr, gm, bt, yr);
        }
    }

    /// <inheritdoc/>
    public void LayerNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer mean, int meanOffset,
        DeviceBuffer rstd, int rstdOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset,
        DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset, int rows, int cols)
    {
        var xs = Cpu(x);
        var gs = Cpu(dy);
        var ds = Cpu(dx);
        var gm = Cpu(gamma).AsSpan(gammaOffset, cols);
        var mu = Cpu(mean).AsSpan(meanOffset, rows);
        var rs = Cpu(rstd).AsSpan(rstdOffset, rows);
        var dg = Cpu(dGamma).AsSpan(dGammaOffset, cols);
        var db = Cpu(dBeta).AsSpan(dBetaOffset, cols);
        dg.Clear();
        db.Clear();
        if (Vector512.IsHardwareAccelerated)
        {
            for (int r = 0; r < rows; r++)
                LayerNormBackwardRow512(xs.AsSpan(xOffset + r * cols, cols), gs.AsSpan(dyOffset + r * cols, cols), gm, mu[r], rs[r],
                    ds.AsSpan(dxOffset + r * cols, cols), dg, db);
            return;
        }
        var scratch = Scratch(2 * cols);
        var xh = scratch.AsSpan(0, cols);
        var gh = scratch.AsSpan(cols, cols);
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.AsSpan(xOffset + r * cols, cols);
            var gr = gs.AsSpan(dyOffset + r * cols, cols);
            var dr = ds.AsSpan(dxOffset + r * cols, cols);
            TensorPrimitives.Subtract(xr, mu[r], xh);
            TensorPrimitives.Multiply(xh, rs[r], xh);
            TensorPrimitives.FusedMultiplyAdd(gr, xh, dg, dg);
            TensorPrimitives.Add(gr, db, db);
            TensorPrimitives.Multiply(gr, gm, gh);
            float a = TensorPrimitives.Sum(gh) / cols, b = TensorPrimitives.Dot(gh, xh) / cols;
            // dx = r·(ĝ − a − x̂·b)
            TensorPrimitives.MultiplyAdd(xh, -b, gh, dr);
            TensorPrimitives.Subtract(dr, a, dr);
            TensorPrimitives.Multiply(dr, rs[r], dr);
        }
    }

    // Layer norm's rows in fused Vector512 passes (the same two-pass statistics as the TensorPrimitives path, whose nine
    // calls per row cost more than their arithmetic on rows of a few hundred floats); tails element by element.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe (float Mean, float Rstd) LayerNormRow512(ReadOnlySpan<float> xs, ReadOnlySpan<float> gs, ReadOnlySpan<float> bs,
        Span<float> ys, float epsilon)
    {
        int n = xs.Length, full = n & ~15;
        fixed (float* x = xs, g = gs, b = bs, y = ys)
        {
            var acc = Vector512<float>.Zero;
            for (int j = 0; j < full; j += 16) acc += Vector512.Load(x + j);
            float sum = Vector512.Sum(acc);
            for (int j = full; j < n; j++) sum += x[j];
            float m = sum / n;
            var vm = Vector512.Create(m);
            acc = Vector512<float>.Zero;
            for (int j = 0; j < full; j += 16)
            {
                var d = Vector512.Load(x + j) - vm;
                acc = Vector512.FusedMultiplyAdd(d, d, acc);
            }
            float sq = Vector512.Sum(acc);
            for (int j = full; j < n; j++) sq += (x[j] - m) * (x[j] - m);
            float inv = 1f / MathF.Sqrt(sq / n + epsilon);
            var vi = Vector512.Create(inv);
            for (int j = 0; j < full; j += 16)
                Vector512.FusedMultiplyAdd((Vector512.Load(x + j) - vm) * vi, Vector512.Load(g + j), Vector512.Load(b + j)).Store(y + j);
            for (int j = full; j < n; j++) y[j] = MathF.FusedMultiplyAdd((x[j] - m) * inv, g[j], b[j]);
            return (m, inv);
        }
    }

    /// <summary>dx = r·(ĝ − a − x̂·b) with ĝ = dy ⊙ γ, a = mean(ĝ), b = mean(ĝ ⊙ x̂); dγ += dy ⊙ x̂, dβ += dy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LayerNormBackwardRow512(ReadOnlySpan<float> xs, ReadOnlySpan<float> dys, ReadOnlySpan<float> gms, float mean, float rstd,
        Span<float> dxs, Span<float> dgs, Span<float> dbs)
    {
        int n = xs.Length, full = n & ~15;
        fixed (float* x = xs, dy = dys, gm = gms, dx = dxs, dg = dgs, db = dbs)
        {
            var vm = Vector512.Create(mean);
            var vr = Vector512.Create(rstd);
            Vector512<float> sa = Vector512<float>.Zero, sb = Vector512<float>.Zero;
            for (int j = 0; j < full; j += 16)
            {
                var xh = (Vector512.Load(x + j) - vm) * vr;
                var g = Vector512.Load(dy + j);
                Vector512.FusedMultiplyAdd(g, xh, Vector512.Load(dg + j)).Store(dg + j);
                (Vector512.Load(db + j) + g).Store(db + j);
                var gh = g * Vector512.Load(gm + j);
                sa += gh;
                sb = Vector512.FusedMultiplyAdd(gh, xh, sb);
            }
            float a = Vector512.Sum(sa), b = Vector512.Sum(sb);
            for (int j = full; j < n; j++)
            {
                float xh = (x[j] - mean) * rstd, gh = dy[j] * gm[j];
                dg[j] = MathF.FusedMultiplyAdd(dy[j], xh, dg[j]);
                db[j] += dy[j];
                a += gh;
                b += gh * xh;
            }
            a /= n;
            b /= n;
            var va = Vector512.Create(a);
            var vb = Vector512.Create(b);
            for (int j = 0; j < full; j += 16)
            {
                var xh = (Vector512.Load(x + j) - vm) * vr;
                var gh = Vector512.Load(dy + j) * Vector512.Load(gm + j);
                ((gh - va - xh * vb) * vr).Store(dx + j);
            }
            for (int j = full; j < n; j++)
            {
                float xh = (x[j] - mean) * rstd;
                dx[j] = (dy[j] * gm[j] - a - xh * b) * rstd;
            }
        }
    }

    /// <inheritdoc/>
    public void LstmCell(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride,
        DeviceBuffer cPrev, int cPrevOffset, int cPrevStride, DeviceBuffer c, int cOffset, int cStride,
        DeviceBuffer h, int hOffset, int hStride)
    {
        var ga = Cpu(gates);
        var cp = Cpu(cPrev);
        var cs = Cpu(c);
        var hs = Cpu(h);
        int n = hidden;
        for (int b = 0; b < batch; b++)
        {
            var row = ga.AsSpan(gatesOffset + b * gatesStride, 4 * n);
            var ifg = row[..(2 * n)];
            TensorPrimitives.Sigmoid(ifg, ifg);
            TensorPrimitives.Tanh(row.Slice(2 * n, n), row.Slice(2 * n, n));
            TensorPrimitives.Sigmoid(row.Slice(3 * n, n), row.Slice(3 * n, n));
            var cr = cs.AsSpan(cOffset + b * cStride, n);
            var hr = hs.AsSpan(hOffset + b * hStride, n);
            // c = f ⊙ c_prev + i ⊙ g;  h = o ⊙ tanh(c)
            TensorPrimitives.Multiply(row.Slice(n, n), cp.AsSpan(cPrevOffset + b * cPrevStride, n), cr);
            TensorPrimitives.FusedMultiplyAdd(row[..n], row.Slice(2 * n, n), cr, cr);
            TensorPrimitives.Tanh(cr, hr);
            TensorPrimitives.Multiply(hr, row.Slice(3 * n, n), hr);
        }
    }

    /// <inheritdoc/>
    public void LstmCellBackward(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride,
        DeviceBuffer cPrev, int cPrevOffset, int cPrevStride, DeviceBuffer c, int cOffset, int cStride,
        DeviceBuffer dh, int dhOffset, int dhStride, DeviceBuffer dc, int dcOffset, int dcStride,
        DeviceBuffer dGates, int dGatesOffset, int dGatesStride, DeviceBuffer dcPrev, int dcPrevOffset, int dcPrevStride)
    {
        var ga = Cpu(gates).Array;
        var cp = Cpu(cPrev).Array;
        var cs = Cpu(c).Array;
        var dhs = Cpu(dh).Array;
        var dcs = Cpu(dc).Array;
        var dgs = Cpu(dGates).Array;
        var dcp = Cpu(dcPrev).Array;
        int n = hidden;
        var tc = Scratch(n).AsSpan(0, n);
        for (int b = 0; b < batch; b++)
        {
            int go = gatesOffset + b * gatesStride, co = cOffset + b * cStride, cpo = cPrevOffset + b * cPrevStride;
            int dho = dhOffset + b * dhStride, dco = dcOffset + b * dcStride, dgo = dGatesOffset + b * dGatesStride;
            int dcpo = dcPrevOffset + b * dcPrevStride;
            TensorPrimitives.Tanh(cs.AsSpan(co, n), tc);
            for (int j = 0; j < n; j++)
            {
                float i = ga[go + j], f = ga[go + n + j], g = ga[go + 2 * n + j], o = ga[go + 3 * n + j];
                float t = tc[j], gh = dhs[dho + j];
                // dc gathers the carried gradient and the path through h = o ⊙ tanh(c).
                float gc = dcs[dco + j] + gh * o * (1f - t * t);
                dgs[dgo + j] = gc * g * i * (1f - i);
                dgs[dgo + n + j] = gc * cp[cpo + j] * f * (1f - f);
                dgs[dgo + 2 * n + j] = gc * i * (1f - g * g);
                dgs[dgo + 3 * n + j] = gh * t * o * (1f - o);
                dcp[dcpo + j] = gc * f;
            }
        }
    }

    /// <inheritdoc/>
    public void GruCell(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride,
        DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer h, int hOffset, int hStride)
    {
        var xs = Cpu(xp);
        var hs = Cpu(hp);
        var ps = Cpu(hPrev);
        var os = Cpu(h);
        int n = hidden;
        for (int b = 0; b < batch; b++)
        {
            var x = xs.AsSpan(xpOffset + b * xpStride, 3 * n);
            var hr = hs.AsSpan(hpOffset + b * hpStride, 3 * n);
            var rz = x[..(2 * n)];
            TensorPrimitives.Add(rz, hr[..(2 * n)], rz);
            TensorPrimitives.Sigmoid(rz, rz);
            var nn = x.Slice(2 * n, n);
            TensorPrimitives.FusedMultiplyAdd(x[..n], hr.Slice(2 * n, n), nn, nn);
            TensorPrimitives.Tanh(nn, nn);
            // h = n + z ⊙ (h_prev − n)
            var o = os.AsSpan(hOffset + b * hStride, n);
            TensorPrimitives.Subtract(ps.AsSpan(hPrevOffset + b * hPrevStride, n), nn, o);
            TensorPrimitives.FusedMultiplyAdd(x.Slice(n, n), o, nn, o);
        }
    }

    /// <inheritdoc/>
    public void GruCellBackward(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride,
        DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer dh, int dhOffset, int dhStride,
        DeviceBuffer dxp, int dxpOffset, int dxpStride, DeviceBuffer dhp, int dhpOffset, int dhpStride,
        DeviceBuffer dhPrev, int dhPrevOffset, int dhPrevStride)
    {
        var xs = Cpu(xp).Array;
        var hs = Cpu(hp).Array;
        var ps = Cpu(hPrev).Array;
        var gs = Cpu(dh).Array;
        var dxs = Cpu(dxp).Array;
        var dhs = Cpu(dhp).Array;
        var dps = Cpu(dhPrev).Array;
        int n = hidden;
        for (int b = 0; b < batch; b++)
        {
            int xo = xpOffset + b * xpStride, ho = hpOffset + b * hpStride, po = hPrevOffset + b * hPrevStride;
            int go = dhOffset + b * dhStride, dxo = dxpOffset + b * dxpStride, dho = dhpOffset + b * dhpStride;
            int dpo = dhPrevOffset + b * dhPrevStride;
            for (int j = 0; j < n; j++)
            {
                float r = xs[xo + j], z = xs[xo + n + j], nn = xs[xo + 2 * n + j], g = gs[go + j];
                float dn = g * (1f - z) * (1f - nn * nn);
                float dz = g * (ps[po + j] - nn) * z * (1f - z);
                float dr = dn * hs[ho + 2 * n + j] * r * (1f - r);
                dxs[dxo + j] = dr;
                dxs[dxo + n + j] = dz;
                dxs[dxo + 2 * n + j] = dn;
                dhs[dho + j] = dr;
                dhs[dho + n + j] = dz;
                dhs[dho + 2 * n + j] = dn * r;
                dps[dpo + j] = g * z;
            }
        }
    }

    // Per-thread scratch for row temporaries, grown as needed: no allocation per call in a steady state.
    [ThreadStatic] private static float[]? _scratch;

    private static float[] Scratch(int length) =>
        _scratch is { } s && s.Length >= length ? s : _scratch = new float[Math.Max(length, 256)];
}
