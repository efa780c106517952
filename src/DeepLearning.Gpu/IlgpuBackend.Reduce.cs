using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    // Below this axis length one thread per output sums the axis; above it a group shares each output's axis.
    internal const int GroupReduceAxis = 64;

    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int>?[] _reduce =
        new Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int>?[ReduceCount];

    private readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, int, int, ArrayView<float>, int>?[] _reduceGroup =
        new Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, int, int, ArrayView<float>, int>?[ReduceCount];

    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int>? _argMax;

    /// <inheritdoc/>
    public void Reduce(ReduceOp op, DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset)
    {
        int outputs = checked(outer * inner);
        if (outputs == 0) return;
        if (axis == 0)
        {
            // The empty sum is 0; the empty mean, maximum and minimum are undefined (NaN), as on the CPU.
            Fill(y, yOffset, outputs, op == ReduceOp.Sum ? 0f : float.NaN);
            return;
        }
        int slot = Slot(op);
        if (axis < GroupReduceAxis)
        {
            var launch = _reduce[slot] ??= Load($"{nameof(ReduceKernel)}<{op}>", a => op switch
            {
                ReduceOp.Sum => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceKernel<SumR>),
                ReduceOp.Mean => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceKernel<MeanR>),
                ReduceOp.Max => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceKernel<MaxR>),
                _ => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceKernel<MinR>),
            });
            launch(LaunchStream, outputs, View(x), xOffset, axis, inner, View(y), yOffset);
            return;
        }
        var group = _reduceGroup[slot] ??= Load($"{nameof(ReduceGroupKernel)}<{op}>", a => WideGroups
            ? op switch
            {
                ReduceOp.Sum => a.LoadKernel<ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceGroupKernel<SumR, Group256>),
                ReduceOp.Mean => a.LoadKernel<ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceGroupKernel<MeanR, Group256>),
                ReduceOp.Max => a.LoadKernel<ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceGroupKernel<MaxR, Group256>),
                _ => a.LoadKernel<ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceGroupKernel<MinR, Group256>),
            }
            : op switch
            {
                ReduceOp.Sum => a.LoadKernel<ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceGroupKernel<SumR, Group16>),
                ReduceOp.Mean => a.LoadKernel<ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceGroupKernel<MeanR, Group16>),
                ReduceOp.Max => a.LoadKernel<ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceGroupKernel<MaxR, Group16>),
                _ => a.LoadKernel<ArrayView<float>, int, int, int, ArrayView<float>, int>(ReduceGroupKernel<MinR, Group16>),
            });
        group(LaunchStream, new KernelConfig(outputs, WideGroups ? 256 : 16), View(x), xOffset, axis, inner, View(y), yOffset);
    }

    /// <summary>One thread per output element (o, j) of [outer, inner], walking the axis in order.</summary>
    internal static void ReduceKernel<TR>(Index1D i, ArrayView<float> x, int xOffset, int axis, int inner, ArrayView<float> y, int yOffset)
        where TR : struct, IReduction
    {
        int o = i / inner, j = i - o * inner;
        long src = xOffset + (long)o * axis * inner + j;
        float acc = default(TR).Identity;
        for (int t = 0; t < axis; t++) acc = default(TR).Combine(acc, x[src + (long)t * inner]);
        y[yOffset + i] = default(TR).Finish(acc, axis);
    }

    /// <summary>One group per output element: its threads stride over the axis, then combine through shared memory.</summary>
    internal static void ReduceGroupKernel<TR, TG>(ArrayView<float> x, int xOffset, int axis, int inner, ArrayView<float> y, int yOffset)
        where TR : struct, IReduction where TG : struct, IGroupSize
    {
        var scratch = SharedMemory.Allocate<float>(default(TG).Size);
        int i = Grid.IdxX, o = i / inner, j = i - o * inner;
        long src = xOffset + (long)o * axis * inner + j;
        float acc = default(TR).Identity;
        for (int t = Group.IdxX; t < axis; t += default(TG).Size) acc = default(TR).Combine(acc, x[src + (long)t * inner]);
        acc = GroupReduce.All<TR, TG>(scratch, acc);
        if (Group.IdxX == 0) y[yOffset + i] = default(TR).Finish(acc, axis);
    }

    /// <inheritdoc/>
    public void ArgMax(DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset)
    {
        int outputs = checked(outer * inner);
        if (outputs == 0) return;
        if (axis == 0)
        {
            Fill(y, yOffset, outputs, -1f);
            return;
        }
        (_argMax ??= Load(nameof(ArgMaxKernel), a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int>(ArgMaxKernel)))(
            LaunchStream, outputs, View(x), xOffset, axis, inner, View(y), yOffset);
    }

    /// <summary>The first maximum; NaN counts as the maximum, so the first NaN wins (NumPy's rule, as on the CPU).</summary>
    internal static void ArgMaxKernel(Index1D i, ArrayView<float> x, int xOffset, int axis, int inner, ArrayView<float> y, int yOffset)
    {
        int o = i / inner, j = i - o * inner;
        long src = xOffset + (long)o * axis * inner + j;
        int best = 0;
        float m = x[src];
        for (int t = 1; t < axis && !float.IsNaN(m); t++)
        {
            float v = x[src + (long)t * inner];
            if (v > m || float.IsNaN(v))
            {
                best = t;
                m = v;
            }
        }
        y[yOffset + i] = best;
    }
}
