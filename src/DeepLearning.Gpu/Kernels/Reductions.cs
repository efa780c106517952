using ILGPU;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>An associative reduction: its identity, how two partial results combine, and the final scaling.</summary>
internal interface IReduction
{
    float Identity { get; }

    float Combine(float acc, float v);

    float Finish(float acc, int count);
}

internal readonly struct SumR : IReduction
{
    public float Identity => 0f;
    public float Combine(float acc, float v) => acc + v;
    public float Finish(float acc, int count) => acc;
}

internal readonly struct MeanR : IReduction
{
    public float Identity => 0f;
    public float Combine(float acc, float v) => acc + v;
    public float Finish(float acc, int count) => acc / count;
}

/// <summary>Maximum with NaN winning (once NaN, always NaN), as TensorPrimitives.Max on the CPU.</summary>
internal readonly struct MaxR : IReduction
{
    public float Identity => float.NegativeInfinity;
    public float Combine(float acc, float v) => Scalar.Max(acc, v);
    public float Finish(float acc, int count) => acc;
}

internal readonly struct MinR : IReduction
{
    public float Identity => float.PositiveInfinity;
    public float Combine(float acc, float v) => Scalar.Min(acc, v);
    public float Finish(float acc, int count) => acc;
}

/// <summary>Group-wide reductions through shared memory (no warp shuffles: ILGPU emits them on OpenCL for Intel only).</summary>
internal static class GroupReduce
{
    /// <summary>
    /// Combines every thread's <paramref name="value"/> over the group; every thread gets the result. All threads of the
    /// group must call it (it has barriers). <paramref name="scratch"/> holds <typeparamref name="TG"/>.Size floats.
    /// </summary>
    public static float All<TR, TG>(ArrayView<float> scratch, float value) where TR : struct, IReduction where TG : struct, IGroupSize
    {
        int t = Group.IdxX;
        scratch[t] = value;
        Group.Barrier();
        for (int s = default(TG).Size / 2; s > 0; s >>= 1)
        {
            if (t < s) scratch[t] = default(TR).Combine(scratch[t], scratch[t + s]);
            Group.Barrier();
        }
        float r = scratch[0];
        // A second call may overwrite scratch[0] before every thread has read it without this barrier.
        Group.Barrier();
        return r;
    }
}
