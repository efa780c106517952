namespace DeepLearning.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void OptimizerStep(OptimizerOp op, in OptimizerHyperParameters hyper, DeviceBuffer param, int paramOffset,
        DeviceBuffer grad, int gradOffset, DeviceBuffer? state1, int state1Offset, DeviceBuffer? state2, int state2Offset,
        DeviceBuffer target, int targetOffset, bool subtract, int length) =>
        OptimizerMath.Step(op, hyper, Cpu(param).AsSpan(paramOffset, length), Cpu(grad).AsSpan(gradOffset, length),
            state1 is null ? default : Cpu(state1).AsSpan(state1Offset, length),
            state2 is null ? default : Cpu(state2).AsSpan(state2Offset, length),
            Cpu(target).AsSpan(targetOffset, length), subtract);
}
