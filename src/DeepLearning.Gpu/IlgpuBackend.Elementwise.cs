using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, float>?[] _unary =
        new Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, float>?[Enum.GetValues<UnaryOp>().Length];

    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, float>?[] _backward =
        new Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, float>?[Enum.GetValues<UnaryOp>().Length];

    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, StridedLayout>?[] _binary =
        new Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, StridedLayout>?[Enum.GetValues<BinaryOp>().Length];

    /// <inheritdoc/>
    public void Unary(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length)
    {
        if (length <= 0) return;
        var launch = _unary[Slot(op)] ??= Load($"{nameof(UnaryKernel)}<{op}>", a => UnaryFunctions.Dispatch(op, new UnaryLoader(a)));
        launch(LaunchStream, length, View(x), xOffset, View(y), yOffset, alpha);
    }

    internal static void UnaryKernel<TF>(Index1D i, ArrayView<float> x, int xOffset, ArrayView<float> y, int yOffset, float alpha)
        where TF : struct, IUnaryFunction =>
        y[yOffset + i] = default(TF).Forward(x[xOffset + i], alpha);

    /// <inheritdoc/>
    public void UnaryBackward(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int length)
    {
        if (length <= 0) return;
        var launch = _backward[Slot(op)] ??= Load($"{nameof(UnaryBackwardKernel)}<{op}>", a => UnaryFunctions.Dispatch(op, new BackwardLoader(a)));
        launch(LaunchStream, length, View(x), xOffset, View(y), yOffset, View(dy), dyOffset, View(dx), dxOffset, alpha);
    }

    internal static void UnaryBackwardKernel<TF>(Index1D i, ArrayView<float> x, int xOffset, ArrayView<float> y, int yOffset,
        ArrayView<float> dy, int dyOffset, ArrayView<float> dx, int dxOffset, float alpha) where TF : struct, IUnaryFunction =>
        dx[dxOffset + i] = default(TF).Backward(x[xOffset + i], y[yOffset + i], dy[dyOffset + i], alpha);

    /// <inheritdoc/>
    public void Binary(BinaryOp op, DeviceBuffer a, int aOffset, ReadOnlySpan<int> aStrides, DeviceBuffer b, int bOffset, ReadOnlySpan<int> bStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape)
    {
        long total = 1;
        foreach (int d in shape) total *= d;
        if (total == 0) return;
        var layout = StridedLayout.Create(op.ToString(), shape, aStrides, bStrides);
        var launch = _binary[Slot(op)] ??= Load($"{nameof(BinaryKernel)}<{op}>", acc => BinaryFunctions.Dispatch(op, new BinaryLoader(acc)));
        launch(LaunchStream, checked((int)total), View(a), aOffset, View(b), bOffset, View(y), yOffset, layout);
    }

    internal static void BinaryKernel<TF>(Index1D i, ArrayView<float> a, int aOffset, ArrayView<float> b, int bOffset,
        ArrayView<float> y, int yOffset, StridedLayout layout) where TF : struct, IBinaryFunction
    {
        layout.Offsets(i, out long ao, out long bo);
        y[yOffset + i] = default(TF).Apply(a[aOffset + ao], b[bOffset + bo]);
    }

    // The launcher caches are arrays indexed by op; an op past the table (a new enum member with no kernel yet) is
    // refused by name. No boxing or enum reflection per call: these run on every op of a training step.
    private static readonly int UnaryCount = Enum.GetValues<UnaryOp>().Length, BinaryCount = Enum.GetValues<BinaryOp>().Length,
        ReduceCount = Enum.GetValues<ReduceOp>().Length, StepCount = Enum.GetValues<OptimizerOp>().Length;

    private static int Slot(UnaryOp op) => (uint)op < (uint)UnaryCount ? (int)op : throw Unknown(op);

    private static int Slot(BinaryOp op) => (uint)op < (uint)BinaryCount ? (int)op : throw Unknown(op);

    private static int Slot(ReduceOp op) => (uint)op < (uint)ReduceCount ? (int)op : throw Unknown(op);

    private static int Slot(OptimizerOp op) => (uint)op < (uint)StepCount ? (int)op : throw Unknown(op);

    private static NotSupportedException Unknown<TEnum>(TEnum op) where TEnum : struct, Enum =>
        new($"GPU backend: {typeof(TEnum).Name} {op} is not implemented");

    private readonly struct UnaryLoader(Accelerator a) : IUnaryVisitor<Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, float>>
    {
        public Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, float> Visit<TF>() where TF : struct, IUnaryFunction =>
            a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int, float>(UnaryKernel<TF>);
    }

    private readonly struct BackwardLoader(Accelerator a)
        : IUnaryVisitor<Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, float>>
    {
        public Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, float> Visit<TF>()
            where TF : struct, IUnaryFunction =>
            a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, float>(UnaryBackwardKernel<TF>);
    }

    private readonly struct BinaryLoader(Accelerator a)
        : IBinaryVisitor<Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, StridedLayout>>
    {
        public Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, StridedLayout> Visit<TF>()
            where TF : struct, IBinaryFunction =>
            a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, StridedLayout>(BinaryKernel<TF>);
    }
}
