namespace DeepLearning.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void OptimizerStep(OptimizerOp op, in OptimizerHyperParameters hyper, DeviceBuffer param, int paramOffset,
        DeviceBuffer grad, int gradOffset, DeviceBuffer? state1, int state1Offset, DeviceBuffer? state2, int state2Offset,
        DeviceBuffer target, int targetOffset, bool subtract, int length)
    {
        float[] p = Cpu(param).Array, g = Cpu(grad).Array, t = Cpu(target).Array;
        float[]? s1 = state1 is null ? null : Cpu(state1).Array, s2 = state2 is null ? null : Cpu(state2).Array;
        var h = hyper;
        if (length < ParallelThreshold) Range(h, 0, length);
        else ForChunks(length, (s, n) => Range(h, s, n));

        void Range(in OptimizerHyperParameters h, int s, int n) =>
            OptimizerMath.Step(op, h, p.AsSpan(paramOffset + s, n), g.AsSpan(gradOffset + s, n),
                s1 is null ? default : s1.AsSpan(state1Offset + s, n),
                s2 is null ? default : s2.AsSpan(state2Offset + s, n),
                t.AsSpan(targetOffset + s, n), subtract);
    }
}
