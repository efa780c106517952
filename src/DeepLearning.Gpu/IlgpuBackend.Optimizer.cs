using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, int, StepArgs>?[] _step =
        new Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, int, StepArgs>?[Enum.GetValues<OptimizerOp>().Length];

    /// <inheritdoc/>
    public void OptimizerStep(OptimizerOp op, in OptimizerHyperParameters hyper, DeviceBuffer param, int paramOffset,
        DeviceBuffer grad, int gradOffset, DeviceBuffer? state1, int state1Offset, DeviceBuffer? state2, int state2Offset,
        DeviceBuffer target, int targetOffset, bool subtract, int length)
    {
        bool needsM = op is OptimizerOp.Momentum or OptimizerOp.Nesterov or OptimizerOp.Adam;
        bool needsV = op is OptimizerOp.Adam or OptimizerOp.RmsProp or OptimizerOp.AdaGrad;
        if ((needsM && state1 is null) || (needsV && state2 is null))
            throw new ArgumentException($"{Name} OptimizerStep {op}: its state buffers (m: {needsM}, v: {needsV}) must be given");
        if (length <= 0) return;
        var launch = _step[Slot(op)] ??= Load($"{nameof(OptimizerKernel)}<{op}>", a => StepFunctions.Dispatch(op, new StepLoader(a)));
        // An unused state slot gets the parameter's view: the kernel never touches it.
        var p = View(param);
        launch(LaunchStream, length, p, paramOffset, View(grad), gradOffset, state1 is null ? p : View(state1), state1Offset,
            state2 is null ? p : View(state2), state2Offset, View(target), targetOffset, subtract ? 1 : 0, new StepArgs(hyper));
    }

    /// <summary>Each element is read before it is written, so the target may be the parameter's or the gradient's memory.</summary>
    internal static void OptimizerKernel<TS>(Index1D i, ArrayView<float> p, int pOffset, ArrayView<float> g, int gOffset,
        ArrayView<float> m, int mOffset, ArrayView<float> v, int vOffset, ArrayView<float> t, int tOffset, int subtract, StepArgs h)
        where TS : struct, IStepFunction
    {
        var rule = default(TS);
        float mv = rule.UsesM ? m[mOffset + i] : 0f, vv = rule.UsesV ? v[vOffset + i] : 0f;
        float d = rule.Step(p[pOffset + i], g[gOffset + i], ref mv, ref vv, h);
        if (rule.UsesM) m[mOffset + i] = mv;
        if (rule.UsesV) v[vOffset + i] = vv;
        t[tOffset + i] = subtract != 0 ? t[tOffset + i] - d : d;
    }

    private readonly struct StepLoader(Accelerator a)
        : IStepVisitor<Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, int, StepArgs>>
    {
        public Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, int, StepArgs> Visit<TS>()
            where TS : struct, IStepFunction =>
            a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>, int, int, StepArgs>(OptimizerKernel<TS>);
    }
}
