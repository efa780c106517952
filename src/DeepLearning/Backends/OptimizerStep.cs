using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DeepLearning.Backends;

/// <summary>
/// The fused per-parameter optimizer updates of <see cref="IBackend.OptimizerStep"/>. Each computes a step
/// <c>δ</c> from the parameter <c>p</c>, the gradient <c>g</c> and up to two state buffers <c>m</c>, <c>v</c>
/// (updated in place), with the hyper-parameters of <see cref="OptimizerHyperParameters"/> (η, β₁, β₂, ε, λ, c₁, c₂).
/// </summary>
public enum OptimizerOp
{
    /// <summary><c>δ = η·g</c> (also a plain scaling, as used by norm clipping).</summary>
    Descent,
    /// <summary>Heavy ball, PyTorch's convention: <c>m = β₁·m + g; δ = η·m</c>.</summary>
    Momentum,
    /// <summary>Nesterov momentum, PyTorch's convention: <c>m = β₁·m + g; δ = η·(g + β₁·m)</c>.</summary>
    Nesterov,
    /// <summary>
    /// Adam with decoupled weight decay: <c>m = β₁·m + (1−β₁)·g; v = β₂·v + (1−β₂)·g²;
    /// δ = η·(c₁·m / (√(c₂·v) + ε) + λ·p)</c>, where <c>c₁ = 1/(1−β₁ᵗ)</c>, <c>c₂ = 1/(1−β₂ᵗ)</c> correct the bias.
    /// </summary>
    Adam,
    /// <summary><c>v = β₂·v + (1−β₂)·g²; δ = η·g / (√v + ε)</c>.</summary>
    RmsProp,
    /// <summary><c>v = v + g²; δ = η·g / (√v + ε)</c>.</summary>
    AdaGrad,
    /// <summary>Coupled (L2) weight decay: <c>δ = g + λ·p</c>.</summary>
    WeightDecay,
    /// <summary><c>δ = clamp(g, −η, η)</c>.</summary>
    ClipValue,
}

/// <summary>The scalar operands of an <see cref="OptimizerOp"/>; each op reads the ones its formula names.</summary>
public readonly struct OptimizerHyperParameters
{
    /// <summary>η: the learning rate (the bound for <see cref="OptimizerOp.ClipValue"/>, the factor for <see cref="OptimizerOp.Descent"/>).</summary>
    public float LearningRate { get; init; }

    /// <summary>β₁: the momentum or first-moment decay.</summary>
    public float Beta1 { get; init; }

    /// <summary>β₂: the second-moment decay (RMSProp's α).</summary>
    public float Beta2 { get; init; }

    /// <summary>ε: added to the root of the second moment.</summary>
    public float Epsilon { get; init; }

    /// <summary>λ: the weight decay.</summary>
    public float WeightDecay { get; init; }

    /// <summary>c₁ = 1/(1−β₁ᵗ): Adam's first-moment bias correction.</summary>
    public float Correction1 { get; init; }

    /// <summary>c₂ = 1/(1−β₂ᵗ): Adam's second-moment bias correction.</summary>
    public float Correction2 { get; init; }
}

/// <summary>
/// The reference implementation of the optimizer ops on host memory (SIMD via <see cref="Vector{T}"/>): the CPU
/// backend runs it in place, and <see cref="IBackend.OptimizerStep"/>'s default runs it on downloaded copies.
/// </summary>
internal static class OptimizerMath
{
    /// <summary>
    /// Applies <paramref name="op"/> element-wise. <paramref name="target"/> receives <c>δ</c> or, when
    /// <paramref name="subtract"/>, has it subtracted; it may be the memory of <paramref name="param"/> or
    /// <paramref name="grad"/> (same offset): each element is read before it is written.
    /// </summary>
    public static void Step(OptimizerOp op, in OptimizerHyperParameters h, ReadOnlySpan<float> param, ReadOnlySpan<float> grad,
        Span<float> m, Span<float> v, Span<float> target, bool subtract)
    {
        int n = grad.Length;
        if (param.Length != n || target.Length != n)
            throw new ArgumentException($"OptimizerStep {op}: parameter ({param.Length}), gradient ({n}) and target ({target.Length}) lengths differ");
        bool needsM = op is OptimizerOp.Momentum or OptimizerOp.Nesterov or OptimizerOp.Adam;
        bool needsV = op is OptimizerOp.Adam or OptimizerOp.RmsProp or OptimizerOp.AdaGrad;
        if ((needsM && m.Length != n) || (needsV && v.Length != n))
            throw new ArgumentException($"OptimizerStep {op}: state buffers must have {n} elements");
        switch (op)
        {
            case OptimizerOp.Descent: Run<DescentOp>(h, param, grad, m, v, target, subtract); break;
            case OptimizerOp.Momentum: Run<MomentumOp>(h, param, grad, m, v, target, subtract); break;
            case OptimizerOp.Nesterov: Run<NesterovOp>(h, param, grad, m, v, target, subtract); break;
            case OptimizerOp.Adam: Run<AdamOp>(h, param, grad, m, v, target, subtract); break;
            case OptimizerOp.RmsProp: Run<RmsPropOp>(h, param, grad, m, v, target, subtract); break;
            case OptimizerOp.AdaGrad: Run<AdaGradOp>(h, param, grad, m, v, target, subtract); break;
            case OptimizerOp.WeightDecay: Run<WeightDecayOp>(h, param, grad, m, v, target, subtract); break;
            case OptimizerOp.ClipValue: Run<ClipValueOp>(h, param, grad, m, v, target, subtract); break;
            default: throw new NotSupportedException($"OptimizerStep: op {op} is not implemented");
        }
    }

    private static void Run<TOp>(in OptimizerHyperParameters h, ReadOnlySpan<float> param, ReadOnlySpan<float> grad,
        Span<float> m, Span<float> v, Span<float> target, bool subtract) where TOp : IStep
    {
        int n = grad.Length, w = Vector<float>.Count, i = 0;
        ref float pr = ref MemoryMarshal.GetReference(param);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        ref float tr = ref MemoryMarshal.GetReference(target);
        if (Vector.IsHardwareAccelerated)
        {
            var k = new Constants(h);
            for (; i <= n - w; i += w)
            {
                var p = Vector.LoadUnsafe(ref pr, (nuint)i);
                var g = Vector.LoadUnsafe(ref gr, (nuint)i);
                var mv = TOp.UsesM ? Vector.LoadUnsafe(ref mr, (nuint)i) : default;
                var vv = TOp.UsesV ? Vector.LoadUnsafe(ref vr, (nuint)i) : default;
                var d = TOp.Invoke(p, g, ref mv, ref vv, k);
                if (TOp.UsesM) mv.StoreUnsafe(ref mr, (nuint)i);
                if (TOp.UsesV) vv.StoreUnsafe(ref vr, (nuint)i);
                if (subtract) d = Vector.LoadUnsafe(ref tr, (nuint)i) - d;
                d.StoreUnsafe(ref tr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float mv = TOp.UsesM ? Unsafe.Add(ref mr, i) : 0f, vv = TOp.UsesV ? Unsafe.Add(ref vr, i) : 0f;
            float d = TOp.Invoke(Unsafe.Add(ref pr, i), Unsafe.Add(ref gr, i), ref mv, ref vv, h);
            if (TOp.UsesM) Unsafe.Add(ref mr, i) = mv;
            if (TOp.UsesV) Unsafe.Add(ref vr, i) = vv;
            ref float t = ref Unsafe.Add(ref tr, i);
            t = subtract ? t - d : d;
        }
    }

    /// <summary>The hyper-parameters broadcast to vectors once per call.</summary>
    private readonly struct Constants(in OptimizerHyperParameters h)
    {
        public readonly Vector<float> Eta = new(h.LearningRate), NegEta = new(-h.LearningRate), Beta1 = new(h.Beta1),
            OneMinusBeta1 = new(1f - h.Beta1), Beta2 = new(h.Beta2), OneMinusBeta2 = new(1f - h.Beta2), Epsilon = new(h.Epsilon),
            Lambda = new(h.WeightDecay), C1 = new(h.Correction1), C2 = new(h.Correction2);
    }

    private interface IStep
    {
        static abstract bool UsesM { get; }
        static abstract bool UsesV { get; }
        static abstract float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h);
        static abstract Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k);
    }

    private readonly struct DescentOp : IStep
    {
        public static bool UsesM => false;
        public static bool UsesV => false;
        public static float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h) => h.LearningRate * g;
        public static Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k) => k.Eta * g;
    }

    private readonly struct MomentumOp : IStep
    {
        public static bool UsesM => true;
        public static bool UsesV => false;
        public static float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h)
        {
            m = h.Beta1 * m + g;
            return h.LearningRate * m;
        }
        public static Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k)
        {
            m = k.Beta1 * m + g;
            return k.Eta * m;
        }
    }

    private readonly struct NesterovOp : IStep
    {
        public static bool UsesM => true;
        public static bool UsesV => false;
        public static float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h)
        {
            m = h.Beta1 * m + g;
            return h.LearningRate * (g + h.Beta1 * m);
        }
        public static Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k)
        {
            m = k.Beta1 * m + g;
            return k.Eta * (g + k.Beta1 * m);
        }
    }

    private readonly struct AdamOp : IStep
    {
        public static bool UsesM => true;
        public static bool UsesV => true;
        public static float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h)
        {
            m = h.Beta1 * m + (1f - h.Beta1) * g;
            v = h.Beta2 * v + (1f - h.Beta2) * g * g;
            return h.LearningRate * (h.Correction1 * m / (MathF.Sqrt(h.Correction2 * v) + h.Epsilon) + h.WeightDecay * p);
        }
        public static Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k)
        {
            m = k.Beta1 * m + k.OneMinusBeta1 * g;
            v = k.Beta2 * v + k.OneMinusBeta2 * g * g;
            return k.Eta * (k.C1 * m / (Vector.SquareRoot(k.C2 * v) + k.Epsilon) + k.Lambda * p);
        }
    }

    private readonly struct RmsPropOp : IStep
    {
        public static bool UsesM => false;
        public static bool UsesV => true;
        public static float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h)
        {
            v = h.Beta2 * v + (1f - h.Beta2) * g * g;
            return h.LearningRate * g / (MathF.Sqrt(v) + h.Epsilon);
        }
        public static Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k)
        {
            v = k.Beta2 * v + k.OneMinusBeta2 * g * g;
            return k.Eta * g / (Vector.SquareRoot(v) + k.Epsilon);
        }
    }

    private readonly struct AdaGradOp : IStep
    {
        public static bool UsesM => false;
        public static bool UsesV => true;
        public static float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h)
        {
            v += g * g;
            return h.LearningRate * g / (MathF.Sqrt(v) + h.Epsilon);
        }
        public static Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k)
        {
            v += g * g;
            return k.Eta * g / (Vector.SquareRoot(v) + k.Epsilon);
        }
    }

    private readonly struct WeightDecayOp : IStep
    {
        public static bool UsesM => false;
        public static bool UsesV => false;
        public static float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h) => g + h.WeightDecay * p;
        public static Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k) => g + k.Lambda * p;
    }

    private readonly struct ClipValueOp : IStep
    {
        public static bool UsesM => false;
        public static bool UsesV => false;
        // NaN gradients stay NaN (they are not silently clipped into a finite step).
        public static float Invoke(float p, float g, ref float m, ref float v, in OptimizerHyperParameters h) =>
            g > h.LearningRate ? h.LearningRate : g < -h.LearningRate ? -h.LearningRate : g;
        public static Vector<float> Invoke(Vector<float> p, Vector<float> g, ref Vector<float> m, ref Vector<float> v, in Constants k) =>
            Vector.ConditionalSelect(Vector.GreaterThan(g, k.Eta), k.Eta, Vector.ConditionalSelect(Vector.LessThan(g, k.NegEta), k.NegEta, g));
    }
}
