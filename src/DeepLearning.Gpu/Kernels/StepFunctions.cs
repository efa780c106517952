using ILGPU.Algorithms;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>The hyper-parameters of an optimizer step as plain fields for a kernel argument.</summary>
internal struct StepArgs
{
    public float Eta, Beta1, Beta2, Epsilon, Lambda, C1, C2;

    public StepArgs(in OptimizerHyperParameters h)
    {
        Eta = h.LearningRate;
        Beta1 = h.Beta1;
        Beta2 = h.Beta2;
        Epsilon = h.Epsilon;
        Lambda = h.WeightDecay;
        C1 = h.Correction1;
        C2 = h.Correction2;
    }
}

/// <summary>One optimizer rule's per-element update (formulas in <see cref="OptimizerOp"/>; same as the CPU's OptimizerMath).</summary>
internal interface IStepFunction
{
    bool UsesM { get; }

    bool UsesV { get; }

    float Step(float p, float g, ref float m, ref float v, StepArgs h);
}

internal readonly struct DescentS : IStepFunction
{
    public bool UsesM => false;
    public bool UsesV => false;
    public float Step(float p, float g, ref float m, ref float v, StepArgs h) => h.Eta * g;
}

internal readonly struct MomentumS : IStepFunction
{
    public bool UsesM => true;
    public bool UsesV => false;
    public float Step(float p, float g, ref float m, ref float v, StepArgs h)
    {
        m = h.Beta1 * m + g;
        return h.Eta * m;
    }
}

internal readonly struct NesterovS : IStepFunction
{
    public bool UsesM => true;
    public bool UsesV => false;
    public float Step(float p, float g, ref float m, ref float v, StepArgs h)
    {
        m = h.Beta1 * m + g;
        return h.Eta * (g + h.Beta1 * m);
    }
}

internal readonly struct AdamS : IStepFunction
{
    public bool UsesM => true;
    public bool UsesV => true;
    public float Step(float p, float g, ref float m, ref float v, StepArgs h)
    {
        m = h.Beta1 * m + (1f - h.Beta1) * g;
        v = h.Beta2 * v + (1f - h.Beta2) * g * g;
        return h.Eta * (h.C1 * m / (XMath.Sqrt(h.C2 * v) + h.Epsilon) + h.Lambda * p);
    }
}

internal readonly struct RmsPropS : IStepFunction
{
    public bool UsesM => false;
    public bool UsesV => true;
    public float Step(float p, float g, ref float m, ref float v, StepArgs h)
    {
        v = h.Beta2 * v + (1f - h.Beta2) * g * g;
        return h.Eta * g / (XMath.Sqrt(v) + h.Epsilon);
    }
}

internal readonly struct AdaGradS : IStepFunction
{
    public bool UsesM => false;
    public bool UsesV => true;
    public float Step(float p, float g, ref float m, ref float v, StepArgs h)
    {
        v += g * g;
        return h.Eta * g / (XMath.Sqrt(v) + h.Epsilon);
    }
}

internal readonly struct WeightDecayS : IStepFunction
{
    public bool UsesM => false;
    public bool UsesV => false;
    public float Step(float p, float g, ref float m, ref float v, StepArgs h) => g + h.Lambda * p;
}

internal readonly struct ClipValueS : IStepFunction
{
    public bool UsesM => false;
    public bool UsesV => false;
    // NaN gradients stay NaN (not silently clipped into a finite step).
    public float Step(float p, float g, ref float m, ref float v, StepArgs h) => g > h.Eta ? h.Eta : g < -h.Eta ? -h.Eta : g;
}

/// <summary>Something done once per step function struct.</summary>
internal interface IStepVisitor<out T>
{
    T Visit<TS>() where TS : struct, IStepFunction;
}

/// <summary>The one table from <see cref="OptimizerOp"/> to its step struct.</summary>
internal static class StepFunctions
{
    public static T Dispatch<T>(OptimizerOp op, IStepVisitor<T> v) => op switch
    {
        OptimizerOp.Descent => v.Visit<DescentS>(),
        OptimizerOp.Momentum => v.Visit<MomentumS>(),
        OptimizerOp.Nesterov => v.Visit<NesterovS>(),
        OptimizerOp.Adam => v.Visit<AdamS>(),
        OptimizerOp.RmsProp => v.Visit<RmsPropS>(),
        OptimizerOp.AdaGrad => v.Visit<AdaGradS>(),
        OptimizerOp.WeightDecay => v.Visit<WeightDecayS>(),
        OptimizerOp.ClipValue => v.Visit<ClipValueS>(),
        _ => throw new NotSupportedException($"GPU backend: optimizer op {op} is not implemented"),
    };
}
