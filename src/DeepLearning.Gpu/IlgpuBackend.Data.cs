using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// Memory bookkeeping and the data-movement primitives a training step needs besides the kernels.
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, ArrayView<int>, ArrayView<float>, int>? _gatherRows;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int>? _addInPlace;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, float, float, ulong, ulong, float>? _dropout;

    /// <summary>Bytes of device memory held from the driver: in use plus cached for reuse.</summary>
    public long BytesReserved => Allocator.BytesReserved;

    // The public TrimCache also reports the bytes freed; the interface's form drops that count.
    void IBackend.TrimCache() => Allocator.Trim();

    /// <inheritdoc/>
    public void GatherRows(DeviceBuffer x, int xOffset, int rowLength, ReadOnlySpan<int> rows, DeviceBuffer y, int yOffset)
    {
        long total = (long)rows.Length * rowLength;
        if (total <= 0) return;
        // The indices travel in a pooled block of the caching allocator, reinterpreted as ints. Releasing it right after
        // the launch is safe: its next user is queued on the same stream, so it runs after this kernel has read it.
        var indices = Allocator.Allocate(rows.Length);
        try
        {
            Staging.Upload(MemoryMarshal.Cast<int, float>(rows), indices.View);
            (_gatherRows ??= Load(nameof(GatherRowsKernel),
                a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, ArrayView<int>, ArrayView<float>, int>(GatherRowsKernel)))(
                LaunchStream, checked((int)total), View(x), xOffset, rowLength, indices.View.Cast<int>(), View(y), yOffset);
        }
        finally
        {
            indices.Release();
        }
    }

    /// <summary>One thread per output element: row r of y is row rows[r] of x.</summary>
    internal static void GatherRowsKernel(Index1D i, ArrayView<float> x, int xOffset, int rowLength, ArrayView<int> rows, ArrayView<float> y, int yOffset)
    {
        int r = i / rowLength, j = i - r * rowLength;
        y[yOffset + i] = x[xOffset + (long)rows[r] * rowLength + j];
    }

    /// <inheritdoc/>
    public void AddInPlace(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length)
    {
        if (length <= 0) return;
        (_addInPlace ??= Load(nameof(AddInPlaceKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int>(AddInPlaceKernel)))(
            LaunchStream, length, View(x), xOffset, View(y), yOffset);
    }

    internal static void AddInPlaceKernel(Index1D i, ArrayView<float> x, int xOffset, ArrayView<float> y, int yOffset) =>
        y[yOffset + i] += x[xOffset + i];

    /// <inheritdoc/>
    public void Dropout(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length, float p, ulong seed, ulong counter)
    {
        if (length <= 0) return;
        (_dropout ??= Load(nameof(DropoutKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int, float, float, ulong, ulong, float>(DropoutKernel)))(
            LaunchStream, length, View(x), xOffset, View(y), yOffset, p, 1f / (1f - p), seed, counter, MathF.BitDecrement(1f));
    }

    /// <summary>
    /// The draw is RandomUniform's on [0, 1) (clamped below 1 as there), so the mask matches the CPU's bit for bit; the
    /// kept value is one float multiply, as on the CPU.
    /// </summary>
    internal static void DropoutKernel(Index1D i, ArrayView<float> x, int xOffset, ArrayView<float> y, int yOffset,
        float p, float scale, ulong seed, ulong counter, float top)
    {
        float u = PhiloxDevice.Uniform(seed, counter + (ulong)i.X);
        u = u < top ? u : top;
        y[yOffset + i] = u >= p ? x[xOffset + i] * scale : 0f;
    }
}
