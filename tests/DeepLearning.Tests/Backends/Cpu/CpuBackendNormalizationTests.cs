using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>The fused batch-norm kernels against double-precision references over [n, c, s] shapes, at offsets with guards.</summary>
public class CpuBackendNormalizationTests
{
    public static TheoryData<int, int, int> Shapes() => new() { { 2, 3, 1 }, { 5, 4, 7 }, { 32, 16, 1 }, { 3, 2, 50 } };

    private static float[] Random(int n, int seed, float shift = 0f)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 4 - 2) + shift)];
    }

    private static (double[] Mean, double[] Var) Reference(float[] x, int n, int c, int s)
    {
        var mean = new double[c];
        var variance = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            var v = Enumerable.Range(0, n).SelectMany(i => x.Skip((i * c + ch) * s).Take(s)).Select(f => (double)f).ToArray();
            mean[ch] = v.Average();
            variance[ch] = v.Select(a => (a - mean[ch]) * (a - mean[ch])).Average();
        }
        return (mean, variance);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Statistics_and_running_updates_match_the_reference(int n, int c, int s)
    {
        // A large common offset: a one-pass E[x²] − E[x]² would lose the variance to cancellation.
        var x = Random(n * c * s, 1, shift: 1000f);
        var (mean, variance) = Reference(x, n, c, s);
        var rm = Random(c, 2);
        var rv = Random(c, 3).Select(Math.Abs).ToArray();
        DeviceBufferSet b = new(With(x, 1), Empty(c, 2), Empty(c, 0), With(rm, 3), With(rv, 1));
        Backend.BatchNormStatistics(b.X, 1, n, c, s, b.Mean, 2, b.Var, 0, b.RunMean, 3, b.RunVar, 1, 0.25f);
        int m = n * s;
        var gotMean = Read(b.Mean, 2, c);
        var gotVar = Read(b.Var, 0, c);
        var gotRm = Read(b.RunMean, 3, c);
        var gotRv = Read(b.RunVar, 1, c);
        for (int ch = 0; ch < c; ch++)
        {
            AssertNear(mean[ch], gotMean[ch], 1e-6, 0, $"mean[{ch}]");
            AssertNear(variance[ch], gotVar[ch], 1e-3, 1e-6, $"variance[{ch}]");
            AssertNear(0.75 * rm[ch] + 0.25 * mean[ch], gotRm[ch], 1e-5, 1e-6, $"running_mean[{ch}]");
            AssertNear(0.75 * rv[ch] + 0.25 * variance[ch] * m / (m - 1.0), gotRv[ch], 1e-3, 1e-6, $"running_var[{ch}]");
        }
        AssertGuards(b.Mean, 2, c, "mean");
        AssertGuards(b.Var, 0, c, "variance");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_and_backward_match_the_reference(int n, int c, int s)
    {
        const float eps = 1e-3f;
        var x = Random(n * c * s, 4);
        var dy = Random(n * c * s, 5);
        var gamma = Random(c, 6);
        var beta = Random(c, 7);
        var (mean, variance) = Reference(x, n, c, s);
        var meanB = With([.. mean.Select(v => (float)v)], 0);
        var varB = With([.. variance.Select(v => (float)v)], 0);
        var xb = With(x, 3);
        var y = Empty(x.Length, 2);
        Backend.BatchNormForward(xb, 3, n, c, s, meanB, 0, varB, 0, eps, With(gamma, 1), 1, With(beta, 0), 0, y, 2);
        var dx = Empty(x.Length, 1);
        var dGamma = Empty(c, 0);
        var dBeta = Empty(c, 2);
        Backend.BatchNormBackward(xb, 3, With(dy, 0), 0, n, c, s, meanB, 0, varB, 0, eps, With(gamma, 0), 0, dx, 1, dGamma, 0, dBeta, 2);
        var gotY = Read(y, 2, x.Length);
        var gotDx = Read(dx, 1, x.Length);
        int m = n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double sigma = Math.Sqrt(variance[ch] + eps), sumDy = 0, sumDyXhat = 0;
            var idx = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range((i * c + ch) * s, s)).ToArray();
            foreach (int i in idx)
            {
                double xhat = (x[i] - mean[ch]) / sigma;
                AssertNear(gamma[ch] * xhat + beta[ch], gotY[i], 1e-5, 1e-5, $"y[{i}]");
                sumDy += dy[i];
                sumDyXhat += dy[i] * xhat;
            }
            AssertNear(sumDy, Read(dBeta, 2, c)[ch], 1e-5, 1e-5, $"dβ[{ch}]");
            AssertNear(sumDyXhat, Read(dGamma, 0, c)[ch], 1e-4, 1e-5, $"dγ[{ch}]");
            foreach (int i in idx)
            {
                double xhat = (x[i] - mean[ch]) / sigma;
                AssertNear(gamma[ch] / sigma * (dy[i] - sumDy / m - xhat * sumDyXhat / m), gotDx[i], 1e-4, 1e-5, $"dx[{i}]");
            }
        }
        AssertGuards(y, 2, x.Length, "y");
        AssertGuards(dx, 1, x.Length, "dx");
    }

    private sealed record DeviceBufferSet(DeepLearning.Backends.DeviceBuffer X, DeepLearning.Backends.DeviceBuffer Mean, DeepLearning.Backends.DeviceBuffer Var,
        DeepLearning.Backends.DeviceBuffer RunMean, DeepLearning.Backends.DeviceBuffer RunVar);
}
