using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, ulong, ulong, float, float, float>? _uniform;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, ulong, ulong, float, float>? _normal;

    /// <inheritdoc/>
    public void RandomUniform(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float low, float high)
    {
        if (length <= 0) return;
        // As on the CPU: low + scale·u can round up to high for u just below 1, so it is clamped below high.
        float scale = high - low, top = low < high ? MathF.BitDecrement(high) : low;
        (_uniform ??= Load(nameof(RandomUniformKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ulong, ulong, float, float, float>(RandomUniformKernel)))(
            LaunchStream, length, View(dst), offset, seed, counter, low, scale, top);
    }

    internal static void RandomUniformKernel(Index1D i, ArrayView<float> y, int offset, ulong seed, ulong counter, float low, float scale, float top)
    {
        float v = low + scale * PhiloxDevice.Uniform(seed, counter + (ulong)i.X);
        y[offset + i] = v < top ? v : top;
    }

    /// <inheritdoc/>
    public void RandomNormal(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float mean, float std)
    {
        if (length <= 0) return;
        (_normal ??= Load(nameof(RandomNormalKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ulong, ulong, float, float>(RandomNormalKernel)))(
            LaunchStream, length, View(dst), offset, seed, counter, mean, std);
    }

    internal static void RandomNormalKernel(Index1D i, ArrayView<float> y, int offset, ulong seed, ulong counter, float mean, float std) =>
        y[offset + i] = mean + std * PhiloxDevice.Normal(seed, counter + (ulong)i.X);
}
