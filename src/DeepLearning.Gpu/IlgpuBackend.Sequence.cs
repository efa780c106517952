using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// Sequence primitives (see IBackend.Sequence.cs; the embedding is in IlgpuBackend.Embedding.cs). The cells take one
// thread per element; layer norm one thread per row (its statistics) or per column (its parameter gradients), which is
// simple and fits the narrow rows of sequence models.
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerNormArgs>? _layerNorm;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerNormArgs>? _layerNormParamGrads;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LayerNormArgs>? _layerNormBackward;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CellArgs>? _lstmCell;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CellArgs>? _lstmCellBackward;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CellArgs>? _gruCell;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CellArgs>? _gruCellBackward;

    /// <inheritdoc/>
    public void LayerNorm(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset,
        DeviceBuffer y, int yOffset, DeviceBuffer mean, int meanOffset, DeviceBuffer rstd, int rstdOffset, int rows, int cols, float epsilon)
    {
        if (rows <= 0 || cols <= 0) return;
        var p = new LayerNormArgs
        {
            Rows = rows, Cols = cols, X = xOffset, Gamma = gammaOffset, Beta = betaOffset, Y = yOffset, Mean = meanOffset, Rstd = rstdOffset,
            Epsilon = epsilon,
        };
        (_layerNorm ??= Load(nameof(LayerNormKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, LayerNormArgs>(LayerNormKernel)))(
            LaunchStream, rows, View(x), View(gamma), View(beta), View(y), View(mean), View(rstd), p);
    }

    /// <summary>One thread per row, two passes as on the CPU (the mean, then squares of the centred values).</summary>
    internal static void LayerNormKernel(Index1D r, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y,
        ArrayView<float> mean, ArrayView<float> rstd, LayerNormArgs p)
    {
        int n = p.Cols;
        long xo = p.X + (long)r.X * n, yo = p.Y + (long)r.X * n;
        float sum = 0f;
        for (int j = 0; j < n; j++) sum += x[xo + j];
        float m = sum / n, sq = 0f;
        for (int j = 0; j < n; j++)
        {
            float d = x[xo + j] - m;
            sq += d * d;
        }
        float inv = 1f / XMath.Sqrt(sq / n + p.Epsilon);
        mean[p.Mean + r] = m;
        rstd[p.Rstd + r] = inv;
        // Reads x[j] before writing y[j]: y may be x.
        for (int j = 0; j < n; j++) y[yo + j] = (x[xo + j] - m) * inv * gamma[p.Gamma + j] + beta[p.Beta + j];
    }

    /// <inheritdoc/>
    public void LayerNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer mean, int meanOffset,
        DeviceBuffer rstd, int rstdOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset,
        DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset, int rows, int cols)
    {
        if (cols <= 0) return;
        var p = new LayerNormArgs
        {
            Rows = rows, Cols = cols, X = xOffset, Gamma = gammaOffset, Mean = meanOffset, Rstd = rstdOffset, Dy = dyOffset, Dx = dxOffset,
            DGamma = dGammaOffset, DBeta = dBetaOffset,
        };
        // The column sums go first: they read dy, which dx may overwrite.
        (_layerNormParamGrads ??= Load(nameof(LayerNormParamGradsKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, LayerNormArgs>(LayerNormParamGradsKernel)))(
            LaunchStream, cols, View(x), View(mean), View(rstd), View(dy), View(dGamma), View(dBeta), p);
        if (rows <= 0) return;
        (_layerNormBackward ??= Load(nameof(LayerNormBackwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, LayerNormArgs>(LayerNormBackwardKernel)))(
            LaunchStream, rows, View(x), View(gamma), View(mean), View(rstd), View(dy), View(dx), p);
    }

    /// <summary>One thread per column: <c>dγ = Σ_rows dy ⊙ x̂</c>, <c>dβ = Σ_rows dy</c>, rows in order as on the CPU.</summary>
    internal static void LayerNormParamGradsKernel(Index1D j, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> rstd,
        ArrayView<float> dy, ArrayView<float> dGamma, ArrayView<float> dBeta, LayerNormArgs p)
    {
        float dg = 0f, db = 0f;
        for (int r = 0; r < p.Rows; r++)
        {
            long e = (long)r * p.Cols + j;
            float g = dy[p.Dy + e];
            dg += g * ((x[p.X + e] - mean[p.Mean + r]) * rstd[p.Rstd + r]);
            db += g;
        }
        dGamma[p.DGamma + j] = dg;
        dBeta[p.DBeta + j] = db;
    }

    /// <summary>One thread per row: <c>dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))</c> with ĝ = dy ⊙ γ.</summary>
    internal static void LayerNormBackwardKernel(Index1D r, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> mean,
        ArrayView<float> rstd, ArrayView<float> dy, ArrayView<float> dx, LayerNormArgs p)
    {
        int n = p.Cols;
        long xo = p.X + (long)r.X * n, go = p.Dy + (long)r.X * n, dxo = p.Dx + (long)r.X * n;
        float m = mean[p.Mean + r], inv = rstd[p.Rstd + r];
        float sumG = 0f, sumGx = 0f;
        for (int j = 0; j < n; j++)
        {
            float gh = dy[go + j] * gamma[p.Gamma + j];
            sumG += gh;
            sumGx += gh * ((x[xo + j] - m) * inv);
        }
        float a = sumG / n, b = sumGx / n;
        // Reads dy[j] before writing dx[j]: dx may be dy.
        for (int j = 0; j < n; j++)
        {
            float xh = (x[xo + j] - m) * inv, gh = dy[go + j] * gamma[p.Gamma + j];
            dx[dxo + j] = (xh * -b + gh - a) * inv;
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + XMath.Exp(-x));

    /// <inheritdoc/>
    public void LstmCell(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride,
        DeviceBuffer cPrev, int cPrevOffset, int cPrevStride, DeviceBuffer c, int cOffset, int cStride,
        DeviceBuffer h, int hOffset, int hStride)
    {
        long total = (long)batch * hidden;
        if (total <= 0) return;
        var p = new CellArgs
        {
            Hidden = hidden, A = new(gatesOffset, gatesStride), B = new(cPrevOffset, cPrevStride), C = new(cOffset, cStride), D = new(hOffset, hStride),
        };
        (_lstmCell ??= Load(nameof(LstmCellKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CellArgs>(LstmCellKernel)))(
            LaunchStream, checked((int)total), View(gates), View(cPrev), View(c), View(h), p);
    }

    /// <summary>One thread per (row, unit); it owns its four gate entries. A = gates, B = c_prev, C = c, D = h.</summary>
    internal static void LstmCellKernel(Index1D idx, ArrayView<float> gates, ArrayView<float> cPrev, ArrayView<float> c, ArrayView<float> h, CellArgs p)
    {
        int n = p.Hidden, b = idx / n, j = idx - b * n;
        long go = p.A.At(b, j);
        float i = Sigmoid(gates[go]), f = Sigmoid(gates[go + n]), g = XMath.Tanh(gates[go + 2 * n]), o = Sigmoid(gates[go + 3 * n]);
        gates[go] = i;
        gates[go + n] = f;
        gates[go + 2 * n] = g;
        gates[go + 3 * n] = o;
        float cv = i * g + f * cPrev[p.B.At(b, j)];
        c[p.C.At(b, j)] = cv;
        h[p.D.At(b, j)] = XMath.Tanh(cv) * o;
    }

    /// <inheritdoc/>
    public void LstmCellBackward(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride,
        DeviceBuffer cPrev, int cPrevOffset, int cPrevStride, DeviceBuffer c, int cOffset, int cStride,
        DeviceBuffer dh, int dhOffset, int dhStride, DeviceBuffer dc, int dcOffset, int dcStride,
        DeviceBuffer dGates, int dGatesOffset, int dGatesStride, DeviceBuffer dcPrev, int dcPrevOffset, int dcPrevStride)
    {
        long total = (long)batch * hidden;
        if (total <= 0) return;
        var p = new CellArgs
        {
            Hidden = hidden, A = new(gatesOffset, gatesStride), B = new(cPrevOffset, cPrevStride), C = new(cOffset, cStride),
            D = new(dhOffset, dhStride), E = new(dcOffset, dcStride), F = new(dGatesOffset, dGatesStride), G = new(dcPrevOffset, dcPrevStride),
        };
        (_lstmCellBackward ??= Load(nameof(LstmCellBackwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, CellArgs>(LstmCellBackwardKernel)))(
            LaunchStream, checked((int)total), View(gates), View(cPrev), View(c), View(dh), View(dc), View(dGates), View(dcPrev), p);
    }

    /// <summary>
    /// One thread per (row, unit), from the saved activations. A = gates, B = c_prev, C = c, D = dh, E = dc, F = dGates,
    /// G = dc_prev; dc is read before dc_prev is written, so the two may be one matrix.
    /// </summary>
    internal static void LstmCellBackwardKernel(Index1D idx, ArrayView<float> gates, ArrayView<float> cPrev, ArrayView<float> c,
        ArrayView<float> dh, ArrayView<float> dc, ArrayView<float> dGates, ArrayView<float> dcPrev, CellArgs p)
    {
        int n = p.Hidden, b = idx / n, j = idx - b * n;
        long go = p.A.At(b, j), dgo = p.F.At(b, j);
        float i = gates[go], f = gates[go + n], g = gates[go + 2 * n], o = gates[go + 3 * n];
        float t = XMath.Tanh(c[p.C.At(b, j)]), gh = dh[p.D.At(b, j)];
        // dc gathers the carried gradient and the path through h = o ⊙ tanh(c).
        float gc = dc[p.E.At(b, j)] + gh * o * (1f - t * t);
        dGates[dgo] = gc * g * i * (1f - i);
        dGates[dgo + n] = gc * cPrev[p.B.At(b, j)] * f * (1f - f);
        dGates[dgo + 2 * n] = gc * i * (1f - g * g);
        dGates[dgo + 3 * n] = gh * t * o * (1f - o);
        dcPrev[p.G.At(b, j)] = gc * f;
    }

    /// <inheritdoc/>
    public void GruCell(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride,
        DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer h, int hOffset, int hStride)
    {
        long total = (long)batch * hidden;
        if (total <= 0) return;
        var p = new CellArgs
        {
            Hidden = hidden, A = new(xpOffset, xpStride), B = new(hpOffset, hpStride), C = new(hPrevOffset, hPrevStride), D = new(hOffset, hStride),
        };
        (_gruCell ??= Load(nameof(GruCellKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CellArgs>(GruCellKernel)))(
            LaunchStream, checked((int)total), View(xp), View(hp), View(hPrev), View(h), p);
    }

    /// <summary>One thread per (row, unit); it owns its three entries of xp. A = xp, B = hp, C = h_prev, D = h.</summary>
    internal static void GruCellKernel(Index1D idx, ArrayView<float> xp, ArrayView<float> hp, ArrayView<float> hPrev, ArrayView<float> h, CellArgs p)
    {
        int n = p.Hidden, b = idx / n, j = idx - b * n;
        long xo = p.A.At(b, j), ho = p.B.At(b, j);
        float r = Sigmoid(xp[xo] + hp[ho]), z = Sigmoid(xp[xo + n] + hp[ho + n]);
        float nn = XMath.Tanh(r * hp[ho + 2 * n] + xp[xo + 2 * n]);
        xp[xo] = r;
        xp[xo + n] = z;
        xp[xo + 2 * n] = nn;
        // h = n + z ⊙ (h_prev − n), the CPU's arrangement.
        h[p.D.At(b, j)] = z * (hPrev[p.C.At(b, j)] - nn) + nn;
    }

    /// <inheritdoc/>
    public void GruCellBackward(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride,
        DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer dh, int dhOffset, int dhStride,
        DeviceBuffer dxp, int dxpOffset, int dxpStride, DeviceBuffer dhp, int dhpOffset, int dhpStride,
        DeviceBuffer dhPrev, int dhPrevOffset, int dhPrevStride)
    {
        long total = (long)batch * hidden;
        if (total <= 0) return;
        var p = new CellArgs
        {
            Hidden = hidden, A = new(xpOffset, xpStride), B = new(hpOffset, hpStride), C = new(hPrevOffset, hPrevStride),
            D = new(dhOffset, dhStride), E = new(dxpOffset, dxpStride), F = new(dhpOffset, dhpStride), G = new(dhPrevOffset, dhPrevStride),
        };
        (_gruCellBackward ??= Load(nameof(GruCellBackwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, CellArgs>(GruCellBackwardKernel)))(
            LaunchStream, checked((int)total), View(xp), View(hp), View(hPrev), View(dh), View(dxp), View(dhp), View(dhPrev), p);
    }

    /// <summary>
    /// One thread per (row, unit), from the saved r, z, n in xp. A = xp, B = hp, C = h_prev, D = dh, E = dxp, F = dhp,
    /// G = dh_prev; dh is read before dh_prev is written, so the two may be one matrix.
    /// </summary>
    internal static void GruCellBackwardKernel(Index1D idx, ArrayView<float> xp, ArrayView<float> hp, ArrayView<float> hPrev,
        ArrayView<float> dh, ArrayView<float> dxp, ArrayView<float> dhp, ArrayView<float> dhPrev, CellArgs p)
    {
        int n = p.Hidden, b = idx / n, j = idx - b * n;
        long xo = p.A.At(b, j), dxo = p.E.At(b, j), dho = p.F.At(b, j);
        float r = xp[xo], z = xp[xo + n], nn = xp[xo + 2 * n], g = dh[p.D.At(b, j)];
        float dn = g * (1f - z) * (1f - nn * nn);
        float dz = g * (hPrev[p.C.At(b, j)] - nn) * z * (1f - z);
        float dr = dn * hp[p.B.At(b, j) + 2 * n] * r * (1f - r);
        dxp[dxo] = dr;
        dxp[dxo + n] = dz;
        dxp[dxo + 2 * n] = dn;
        dhp[dho] = dr;
        dhp[dho + n] = dz;
        dhp[dho + 2 * n] = dn * r;
        dhPrev[p.G.At(b, j)] = g * z;
    }
}
