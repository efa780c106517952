namespace DeepLearning.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void OptimizerStep(OptimizerOp op, in OptimizerHyperParameters hyper, DeviceBuffer param, int paramOffset,
        DeviceBuffer grad, int gradOffset, DeviceBuffer? state1, int state1Offset, DeviceBuffer? state2, int state2Offset,
        DeviceBuffer target, int targetOffset, bool subtract, int length)
    {
        var job = new StepJob(op, hyper, Cpu(param).Array, paramOffset, Cpu(grad).Array, gradOffset,
            state1 is null ? null : Cpu(state1).Array, state1Offset, state2 is null ? null : Cpu(state2).Array, state2Offset,
            Cpu(target).Array, targetOffset, subtract);
        if (length < ParallelThreshold) job.Run(0, length);
        else ForChunks(length, job);
    }

    /// <summary>One optimizer step over a range of elements; a struct, so neither path allocates.</summary>
    private readonly record struct StepJob(OptimizerOp Op, OptimizerHyperParameters Hyper, float[] P, int PO, float[] G, int GO,
        float[]? S1, int S1O, float[]? S2, int S2O, float[] T, int TO, bool Subtract) : IChunkBody
    {
        public void Run(int s, int n) =>
            OptimizerMath.Step(Op, Hyper, P.AsSpan(PO + s, n), G.AsSpan(GO + s, n),
                S1 is null ? default : S1.AsSpan(S1O + s, n), S2 is null ? default : S2.AsSpan(S2O + s, n),
                T.AsSpan(TO + s, n), Subtract);
    }
}
