using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

// Batch normalisation over x viewed as [n, c, s]: channel ch owns the n runs of s values at (i·c + ch)·s. Sums are
// accumulated in double per run, so the statistics of large batches do not lose digits.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void BatchNormStatistics(DeviceBuffer x, int xOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset,
        DeviceBuffer variance, int varianceOffset, DeviceBuffer? runningMean, int runningMeanOffset,
        DeviceBuffer? runningVar, int runningVarOffset, float momentum)
    {
        var xs = Cpu(x).Array;
        var means = Cpu(mean).AsSpan(meanOffset, c);
        var vars = Cpu(variance).AsSpan(varianceOffset, c);
        int m = n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += TensorPrimitives.Sum<float>(xs.AsSpan(xOffset + (i * c + ch) * s, s));
            float mu = (float)(sum / m);
            // Two passes (mean, then squared deviations): the one-pass E[x²] − E[x]² cancels for large means.
            double sq = 0;
            for (int i = 0; i < n; i++)
            {
                var run = xs.AsSpan(xOffset + (i * c + ch) * s, s);
                for (int j = 0; j < run.Length; j++)
                {
                    float d = run[j] - mu;
                    sq += d * d;
                }
            }
            means[ch] = mu;
            vars[ch] = (float)(sq / m);
        }
        if (runningMean is not null)
        {
            var rm = Cpu(runningMean).AsSpan(runningMeanOffset, c);
            for (int ch = 0; ch < c; ch++) rm[ch] = rm[ch] * (1f - momentum) + means[ch] * momentum;
        }
        if (runningVar is not null)
        {
            var rv = Cpu(runningVar).AsSpan(runningVarOffset, c);
            float unbias = m > 1 ? m / (m - 1f) : 1f;
            for (int ch = 0; ch < c; ch++) rv[ch] = rv[ch] * (1f - momentum) + vars[ch] * (momentum * unbias);
        }
    }

    /// <inheritdoc/>
    public void BatchNormForward(DeviceBuffer x, int xOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset,
        DeviceBuffer variance, int varianceOffset, float epsilon, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset,
        DeviceBuffer y, int yOffset)
    {
        var xs = Cpu(x).Array;
        var ys = Cpu(y).Array;
        var means = Cpu(mean).AsSpan(meanOffset, c);
        var vars = Cpu(variance).AsSpan(varianceOffset, c);
        var g = Cpu(gamma).AsSpan(gammaOffset, c);
        var b = Cpu(beta).AsSpan(betaOffset, c);
        for (int ch = 0; ch < c; ch++)
        {
            // y = x·scale + shift with scale = γ/σ, shift = β − μ·scale.
            float scale = g[ch] / MathF.Sqrt(vars[ch] + epsilon), shift = b[ch] - means[ch] * scale;
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + ch) * s;
                var o = ys.AsSpan(yOffset + at, s);
                TensorPrimitives.Multiply(xs.AsSpan(xOffset + at, s), scale, o);
                TensorPrimitives.Add(o, shift, o);
            }
        }
    }

    /// <inheritdoc/>
    public void BatchNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer dy, int dyOffset, int n, int c, int s,
        DeviceBuffer mean, int meanOffset, DeviceBuffer variance, int varianceOffset, float epsilon, DeviceBuffer gamma, int gammaOffset,
        DeviceBuffer dx, int dxOffset, DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset)
    {
        var xs = Cpu(x).Array;
        var gs = Cpu(dy).Array;
        var ds = Cpu(dx).Array;
        var means = Cpu(mean).AsSpan(meanOffset, c);
        var vars = Cpu(variance).AsSpan(varianceOffset, c);
        var g = Cpu(gamma).AsSpan(gammaOffset, c);
        var dg = Cpu(dGamma).AsSpan(dGammaOffset, c);
        var db = Cpu(dBeta).AsSpan(dBetaOffset, c);
        int m = n * s;
        for (int ch = 0; ch < c; ch++)
        {
            float mu = means[ch], inv = 1f / MathF.Sqrt(vars[ch] + epsilon);
            // Σ dy and Σ dy·x̂ = (Σ dy·x − μ·Σ dy)/σ.
            double sumDy = 0, sumDyX = 0;
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + ch) * s;
                var gr = gs.AsSpan(dyOffset + at, s);
                sumDy += TensorPrimitives.Sum<float>(gr);
                sumDyX += TensorPrimitives.Dot<float>(gr, xs.AsSpan(xOffset + at, s));
            }
            float dBetaC = (float)sumDy, dGammaC = (float)((sumDyX - mu * sumDy) * inv);
            db[ch] = dBetaC;
            dg[ch] = dGammaC;
            // dx = γ/σ·(dy − dβ/m − x̂·dγ/m) = a·dy + b·x + k with a = γ/σ, b = −γ/σ²·dγ/m, k = −a·dβ/m − b·μ.
            float a = g[ch] * inv, bx = -a * inv * dGammaC / m, k = -a * dBetaC / m - bx * mu;
            for (int i = 0; i < n; i++)
            {
                int at = (i * c + ch) * s;
                var o = ds.AsSpan(dxOffset + at, s);
                TensorPrimitives.Multiply(xs.AsSpan(xOffset + at, s), bx, o);
                TensorPrimitives.Add(o, k, o);
                TensorPrimitives.MultiplyAdd(gs.AsSpan(dyOffset + at, s), a, o, o);
            }
        }
    }
}
