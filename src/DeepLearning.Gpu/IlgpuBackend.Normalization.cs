using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// Batch normalisation over x viewed as [n, c, s]: channel ch owns the n runs of s values at (i·c + ch)·s. Channels are
// few and each has n·s values, so the statistics and the parameter gradients take one group per channel (a shared-memory
// reduction); the element-wise parts take one thread per element.
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>? _bnStatistics;

    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>? _bnForward;

    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>? _bnParamGrads;

    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>? _bnBackward;

    /// <inheritdoc/>
    public void BatchNormStatistics(DeviceBuffer x, int xOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset,
        DeviceBuffer variance, int varianceOffset, DeviceBuffer? runningMean, int runningMeanOffset,
        DeviceBuffer? runningVar, int runningVarOffset, float momentum)
    {
        if (c <= 0) return;
        int m = checked(n * s);
        float unbias = m > 1 ? m / (m - 1f) : 1f;
        var args = new BatchNormArgs
        {
            N = n, C = c, S = s, X = xOffset, Mean = meanOffset, Variance = varianceOffset,
            RunningMean = runningMeanOffset, RunningVar = runningVarOffset,
            Update = (runningMean is null ? 0 : 1) | (runningVar is null ? 0 : 2),
            Keep = 1f - momentum, Momentum = momentum, VarMomentum = momentum * unbias,
        };
        var launch = _bnStatistics ??= Load(nameof(BatchNormStatisticsKernel), a => WideGroups
            ? a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(BatchNormStatisticsKernel<Group256>)
            : a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(BatchNormStatisticsKernel<Group16>));
        // An absent running buffer is replaced by the mean's view; its Update bit is clear, so it is never written.
        launch(LaunchStream, new KernelConfig(c, WideGroups ? 256 : 16), View(x), View(mean), View(variance),
            View(runningMean ?? mean), View(runningVar ?? mean), args);
    }

    /// <summary>
    /// One group per channel, two passes as on the CPU (the mean, then squared deviations from it): the one-pass
    /// E[x²] − E[x]² cancels for large means. Thread 0 writes the statistics and updates the running ones.
    /// </summary>
    internal static void BatchNormStatisticsKernel<TG>(ArrayView<float> x, ArrayView<float> mean, ArrayView<float> variance,
        ArrayView<float> runningMean, ArrayView<float> runningVar, BatchNormArgs p) where TG : struct, IGroupSize
    {
        var scratch = SharedMemory.Allocate<float>(default(TG).Size);
        int ch = Grid.IdxX, m = p.M;
        float sum = 0f;
        for (int t = Group.IdxX; t < m; t += default(TG).Size) sum += x[p.X + p.Element(ch, t)];
        float mu = GroupReduce.All<SumR, TG>(scratch, sum) / m;
        float sq = 0f;
        for (int t = Group.IdxX; t < m; t += default(TG).Size)
        {
            float d = x[p.X + p.Element(ch, t)] - mu;
            sq += d * d;
        }
        float v = GroupReduce.All<SumR, TG>(scratch, sq) / m;
        if (Group.IdxX != 0) return;
        mean[p.Mean + ch] = mu;
        variance[p.Variance + ch] = v;
        if ((p.Update & 1) != 0) runningMean[p.RunningMean + ch] = runningMean[p.RunningMean + ch] * p.Keep + mu * p.Momentum;
        if ((p.Update & 2) != 0) runningVar[p.RunningVar + ch] = runningVar[p.RunningVar + ch] * p.Keep + v * p.VarMomentum;
    }

    /// <inheritdoc/>
    public void BatchNormForward(DeviceBuffer x, int xOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset,
        DeviceBuffer variance, int varianceOffset, float epsilon, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset,
        DeviceBuffer y, int yOffset)
    {
        long total = (long)n * c * s;
        if (total <= 0) return;
        var args = new BatchNormArgs
        {
            N = n, C = c, S = s, X = xOffset, Mean = meanOffset, Variance = varianceOffset, Epsilon = epsilon,
            Gamma = gammaOffset, Beta = betaOffset, Y = yOffset,
        };
        (_bnForward ??= Load(nameof(BatchNormForwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, BatchNormArgs>(BatchNormForwardKernel)))(
            LaunchStream, checked((int)total), View(x), View(mean), View(variance), View(gamma), View(beta), View(y), args);
    }

    /// <summary><c>y = x·scale + shift</c> with <c>scale = γ/σ</c>, <c>shift = β − μ·scale</c>, the CPU's arrangement.</summary>
    internal static void BatchNormForwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> variance,
        ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y, BatchNormArgs p)
    {
        int ch = p.ChannelOf(i);
        float scale = gamma[p.Gamma + ch] / XMath.Sqrt(variance[p.Variance + ch] + p.Epsilon);
        float shift = beta[p.Beta + ch] - mean[p.Mean + ch] * scale;
        y[p.Y + i] = x[p.X + i] * scale + shift;
    }

    /// <inheritdoc/>
    public void BatchNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer dy, int dyOffset, int n, int c, int s,
        DeviceBuffer mean, int meanOffset, DeviceBuffer variance, int varianceOffset, float epsilon, DeviceBuffer gamma, int gammaOffset,
        DeviceBuffer dx, int dxOffset, DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset)
    {
        if (c <= 0) return;
        var args = new BatchNormArgs
        {
            N = n, C = c, S = s, X = xOffset, Dy = dyOffset, Mean = meanOffset, Variance = varianceOffset, Epsilon = epsilon,
            Gamma = gammaOffset, Y = dxOffset, DGamma = dGammaOffset, DBeta = dBetaOffset,
        };
        var sums = _bnParamGrads ??= Load(nameof(BatchNormParamGradsKernel), a => WideGroups
            ? a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(BatchNormParamGradsKernel<Group256>)
            : a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(BatchNormParamGradsKernel<Group16>));
        sums(LaunchStream, new KernelConfig(c, WideGroups ? 256 : 16), View(x), View(dy), View(mean), View(variance), View(dGamma), View(dBeta), args);
        long total = (long)n * c * s;
        if (total <= 0) return;
        // Queued after the sums on the same stream, so it reads the finished dγ and dβ.
        (_bnBackward ??= Load(nameof(BatchNormBackwardKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(BatchNormBackwardKernel)))(
            LaunchStream, checked((int)total), View(x), View(dy), View(mean), View(variance), View(gamma), View(dGamma), View(dBeta), View(dx), args);
    }

    /// <summary>
    /// One group per channel: <c>dβ = Σ dy</c> and <c>dγ = Σ dy·(x − μ)/σ</c>. Summing dy·(x − μ) rather than the CPU's
    /// Σ dy·x − μ·Σ dy avoids cancelling two large float sums (the CPU can afford it: it sums in double).
    /// </summary>
    internal static void BatchNormParamGradsKernel<TG>(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> variance,
        ArrayView<float> dGamma, ArrayView<float> dBeta, BatchNormArgs p) where TG : struct, IGroupSize
    {
        var scratch = SharedMemory.Allocate<float>(default(TG).Size);
        int ch = Grid.IdxX, m = p.M;
        float mu = mean[p.Mean + ch];
        float sumDy = 0f, sumDyXc = 0f;
        for (int t = Group.IdxX; t < m; t += default(TG).Size)
        {
            long e = p.Element(ch, t);
            float g = dy[p.Dy + e];
            sumDy += g;
            sumDyXc += g * (x[p.X + e] - mu);
        }
        sumDy = GroupReduce.All<SumR, TG>(scratch, sumDy);
        sumDyXc = GroupReduce.All<SumR, TG>(scratch, sumDyXc);
        if (Group.IdxX != 0) return;
        dBeta[p.DBeta + ch] = sumDy;
        dGamma[p.DGamma + ch] = sumDyXc / XMath.Sqrt(variance[p.Variance + ch] + p.Epsilon);
    }

    /// <summary>
    /// <c>dx = γ/σ·(dy − dβ/m − x̂·dγ/m) = a·dy + b·x + k</c> with <c>a = γ/σ</c>, <c>b = −γ/σ²·dγ/m</c>,
    /// <c>k = −a·dβ/m − b·μ</c>, the CPU's arrangement. dx is the view and offset named Y.
    /// </summary>
    internal static void BatchNormBackwardKernel(Index1D i, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> variance,
        ArrayView<float> gamma, ArrayView<float> dGamma, ArrayView<float> dBeta, ArrayView<float> dx, BatchNormArgs p)
    {
        int ch = p.ChannelOf(i), m = p.M;
        float mu = mean[p.Mean + ch], inv = 1f / XMath.Sqrt(variance[p.Variance + ch] + p.Epsilon);
        float a = gamma[p.Gamma + ch] * inv, b = -a * inv * dGamma[p.DGamma + ch] / m, k = -a * dBeta[p.DBeta + ch] / m - b * mu;
        dx[p.Y + i] = a * dy[p.Dy + i] + b * x[p.X + i] + k;
    }
}
