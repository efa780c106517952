using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, ArrayView<float>, int, int, int>? _softmax;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, int, int>? _softmaxBackward;

    /// <inheritdoc/>
    public void Softmax(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int rows, int cols, bool log)
    {
        if (rows <= 0 || cols <= 0) return;
        var launch = _softmax ??= Load(nameof(SoftmaxKernel), a => WideGroups
            ? a.LoadKernel<ArrayView<float>, int, ArrayView<float>, int, int, int>(SoftmaxKernel<Group256>)
            : a.LoadKernel<ArrayView<float>, int, ArrayView<float>, int, int, int>(SoftmaxKernel<Group16>));
        launch(LaunchStream, new KernelConfig(rows, WideGroups ? 256 : 16), View(x), xOffset, View(y), yOffset, cols, log ? 1 : 0);
    }

    /// <summary>
    /// One group per row. Subtracting the row maximum keeps every exponent ≤ 0: no overflow, and the largest term is
    /// exactly 1, so the sum is at least 1 and its logarithm is safe.
    /// </summary>
    internal static void SoftmaxKernel<TG>(ArrayView<float> x, int xOffset, ArrayView<float> y, int yOffset, int cols, int log)
        where TG : struct, IGroupSize
    {
        var scratch = SharedMemory.Allocate<float>(default(TG).Size);
        long row = Grid.IdxX;
        long xs = xOffset + row * cols, ys = yOffset + row * cols;
        float m = float.NegativeInfinity;
        for (int c = Group.IdxX; c < cols; c += default(TG).Size) m = Scalar.Max(m, x[xs + c]);
        m = GroupReduce.All<MaxR, TG>(scratch, m);
        float s = 0f;
        for (int c = Group.IdxX; c < cols; c += default(TG).Size) s += XMath.Exp(x[xs + c] - m);
        s = GroupReduce.All<SumR, TG>(scratch, s);
        if (log != 0)
        {
            float shift = m + XMath.Log(s);
            for (int c = Group.IdxX; c < cols; c += default(TG).Size) y[ys + c] = x[xs + c] - shift;
        }
        else
        {
            float r = 1f / s;
            for (int c = Group.IdxX; c < cols; c += default(TG).Size) y[ys + c] = XMath.Exp(x[xs + c] - m) * r;
        }
    }

    /// <inheritdoc/>
    public void SoftmaxBackward(DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int rows, int cols, bool log)
    {
        if (rows <= 0 || cols <= 0) return;
        var launch = _softmaxBackward ??= Load(nameof(SoftmaxBackwardKernel), a => WideGroups
            ? a.LoadKernel<ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, int, int>(SoftmaxBackwardKernel<Group256>)
            : a.LoadKernel<ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, int, int>(SoftmaxBackwardKernel<Group16>));
        launch(LaunchStream, new KernelConfig(rows, WideGroups ? 256 : 16), View(y), yOffset, View(dy), dyOffset, View(dx), dxOffset, cols, log ? 1 : 0);
    }

    /// <summary>One group per row: <c>dx = y ⊙ (dy − Σ dy⊙y)</c>, or for log-softmax <c>dx = dy − eʸ · Σ dy</c>.</summary>
    internal static void SoftmaxBackwardKernel<TG>(ArrayView<float> y, int yOffset, ArrayView<float> dy, int dyOffset,
        ArrayView<float> dx, int dxOffset, int cols, int log) where TG : struct, IGroupSize
    {
        var scratch = SharedMemory.Allocate<float>(default(TG).Size);
        long row = Grid.IdxX;
        long ys = yOffset + row * cols, gs = dyOffset + row * cols, ds = dxOffset + row * cols;
        float s = 0f;
        for (int c = Group.IdxX; c < cols; c += default(TG).Size) s += log != 0 ? dy[gs + c] : dy[gs + c] * y[ys + c];
        s = GroupReduce.All<SumR, TG>(scratch, s);
        for (int c = Group.IdxX; c < cols; c += default(TG).Size)
            dx[ds + c] = log != 0 ? XMath.Exp(y[ys + c]) * -s + dy[gs + c] : (dy[gs + c] - s) * y[ys + c];
    }
}
