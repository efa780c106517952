namespace DeepLearning.Backends.Ilgpu;

// Every convolution, grouped and depthwise included, runs as im2col + strided-batched GEMM (IlgpuBackend.ConvGemm.cs);
// Conv1D (height 1) and the transposed convolution (Conv2DBackward run forwards) take the same path. There are no
// direct kernels: a direct weight gradient has one thread per weight, each summing the whole batch serially, which
// leaves a GPU nearly idle.
public sealed partial class IlgpuBackend
{
    // The CPU backend's checks, so both refuse the same geometries.
    private static void CheckGeometry(in ConvGeometry g, string op)
    {
        if (g.Batch < 0 || g.InChannels <= 0 || g.OutChannels <= 0 || g.Groups <= 0 || g.InChannels % g.Groups != 0
            || g.OutChannels % g.Groups != 0 || g.KernelHeight <= 0 || g.KernelWidth <= 0 || g.StrideH <= 0 || g.StrideW <= 0
            || g.DilationH <= 0 || g.DilationW <= 0 || g.PadTop < 0 || g.PadLeft < 0 || g.OutHeight <= 0 || g.OutWidth <= 0)
            throw new ArgumentException($"ILGPU backend {op}: invalid convolution geometry {g}", nameof(g));
    }

    /// <inheritdoc/>
    public void Conv2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset)
    {
        CheckGeometry(g, nameof(Conv2D));
        if (g.Batch == 0) return;
        Conv2DAsGemm(g, x, xOffset, w, wOffset, bias, biasOffset, relu, y, yOffset);
    }

    /// <inheritdoc/>
    public void Conv2DBackward(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer dy, int dyOffset,
        DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset)
    {
        CheckGeometry(g, nameof(Conv2DBackward));
        if (g.Batch > 0)
        {
            Conv2DBackwardAsGemm(g, x, xOffset, w, wOffset, dy, dyOffset, dx, dxOffset, dw, dwOffset, dbias, dbiasOffset);
            return;
        }
        // With no images every weight's and bias's sum is empty: zero, as on the CPU; dx has no elements.
        if (dw is not null) Fill(dw, dwOffset, g.OutChannels * g.GroupPatch, 0f);
        if (dbias is not null) Fill(dbias, dbiasOffset, g.OutChannels, 0f);
    }
}
