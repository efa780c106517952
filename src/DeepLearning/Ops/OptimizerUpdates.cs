using DeepLearning.Backends;

namespace DeepLearning;

/// <summary>
/// The optimizer rules' calls into the backend: each update is one fused kernel per parameter
/// (<see cref="IBackend.OptimizerStep"/>) that reads the gradient once, updates the moments in place and writes the
/// parameter (or the step, inside a chain), allocating nothing.
/// </summary>
internal static class OptimizerUpdates
{
    /// <summary>A zero tensor like <paramref name="like"/> that belongs to no scope: optimizer state outlives steps.</summary>
    public static Tensor Persistent(Tensor like)
    {
        var t = Tensor.CreateUnscoped(like.Shape, like.Device);
        t.Backend.Fill(t.Buffer, t.Offset, t.Length, 0f);
        return t;
    }

    public static void Descent(string rule, Tensor p, Tensor g, float eta, Tensor target, bool subtract) =>
        Step(rule, OptimizerOp.Descent, new() { LearningRate = eta }, p, g, null, null, target, subtract);

    public static void Momentum(string rule, Tensor p, Tensor g, Tensor m, float eta, float rho, bool nesterov, Tensor target, bool subtract) =>
        Step(rule, nesterov ? OptimizerOp.Nesterov : OptimizerOp.Momentum, new() { LearningRate = eta, Beta1 = rho }, p, g, m, null, target, subtract);

    public static void Adam(string rule, Tensor p, Tensor g, Tensor m, Tensor v, float eta, float beta1, float beta2, float epsilon,
        float weightDecay, int t, Tensor target, bool subtract)
    {
        // Bias corrections in double: 1 − β₂ᵗ for β₂ = 0.999 and small t loses digits in float.
        var h = new OptimizerHyperParameters
        {
            LearningRate = eta, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, WeightDecay = weightDecay,
            Correction1 = (float)(1.0 / (1.0 - Math.Pow(beta1, t))), Correction2 = (float)(1.0 / (1.0 - Math.Pow(beta2, t))),
        };
        Step(rule, OptimizerOp.Adam, h, p, g, m, v, target, subtract);
    }

    public static void RmsProp(string rule, Tensor p, Tensor g, Tensor v, float eta, float alpha, float epsilon, Tensor target, bool subtract) =>
        Step(rule, OptimizerOp.RmsProp, new() { LearningRate = eta, Beta2 = alpha, Epsilon = epsilon }, p, g, null, v, target, subtract);

    public static void AdaGrad(string rule, Tensor p, Tensor g, Tensor v, float eta, float epsilon, Tensor target, bool subtract) =>
        Step(rule, OptimizerOp.AdaGrad, new() { LearningRate = eta, Epsilon = epsilon }, p, g, null, v, target, subtract);

    public static void WeightDecay(string rule, Tensor p, Tensor g, float lambda, Tensor target, bool subtract) =>
        Step(rule, OptimizerOp.WeightDecay, new() { WeightDecay = lambda }, p, g, null, null, target, subtract);

    public static void ClipValue(string rule, Tensor p, Tensor g, float bound, Tensor target, bool subtract) =>
        Step(rule, OptimizerOp.ClipValue, new() { LearningRate = bound }, p, g, null, null, target, subtract);

    /// <summary>The Euclidean norm of <paramref name="g"/> read in place when its memory is host memory (no backend call); else null.</summary>
    public static float? HostNorm(Tensor g)
    {
        if (!g.TryGetHostSpan(out var values)) return null;
        if (values.Length == 0) return 0f;
        float largest = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values));
        if (!float.IsFinite(largest)) return largest;
        // Float squares are safe while n·largest² stays below float's range; beyond, scale by the largest, in double.
        if (largest < 1e15f && values.Length < 100_000_000) return System.Numerics.Tensors.TensorPrimitives.Norm(values);
        double sum = 0;
        foreach (float v in values) sum += ((double)v / largest) * ((double)v / largest);
        return (float)(largest * Math.Sqrt(sum));
    }

    /// <summary>
    /// <c>δ = g·min(1, c/‖g‖₂)</c> written to (or subtracted from) <paramref name="target"/> without reading anything
    /// back: the norm, scaled by the largest magnitude so squares cannot overflow, stays a device scalar.
    /// </summary>
    public static void ClipNormOnDevice(string rule, Tensor p, Tensor g, float maxNorm, Tensor target, bool subtract)
    {
        using var scope = TensorScope.Begin();
        var flat = g.Reshape(g.Length);
        var largest = Kernels.Binary(BinaryOp.Maximum, Kernels.Reduce(ReduceOp.Max, Kernels.Unary(UnaryOp.Abs, 0f, flat), 0),
            Tensor.Full(Shape.Scalar, float.Epsilon, g.Device), rule);
        var unit = Kernels.Binary(BinaryOp.Div, flat, largest, rule);
        var norm = Kernels.Binary(BinaryOp.Mul, Kernels.Unary(UnaryOp.Sqrt, 0f, Kernels.Reduce(ReduceOp.Sum, Kernels.Unary(UnaryOp.Square, 0f, unit), 0)), largest, rule);
        var factor = Kernels.Binary(BinaryOp.Minimum, Kernels.Unary(UnaryOp.RDivScalar, maxNorm, norm), Tensor.Full(Shape.Scalar, 1f, g.Device), rule);
        var clipped = Kernels.Binary(BinaryOp.Mul, g, factor, rule);
        Step(rule, OptimizerOp.Descent, new() { LearningRate = 1f }, p, clipped, null, null, target, subtract);
    }

    private static void Step(string rule, OptimizerOp op, in OptimizerHyperParameters h, Tensor p, Tensor g, Tensor? m, Tensor? v, Tensor target, bool subtract)
    {
        if (g.Shape != p.Shape)
            throw new ArgumentException($"{rule}: gradient of shape {g.Shape} does not fit {p.Describe()}");
        if (target.Shape != p.Shape)
            throw new ArgumentException($"{rule}: target of shape {target.Shape} does not fit {p.Describe()}");
        Kernels.SameDevice(rule, p, g);
        Kernels.SameDevice(rule, p, target);
        if (m is not null) Kernels.SameDevice(rule, p, m);
        if (v is not null) Kernels.SameDevice(rule, p, v);
        p.Backend.OptimizerStep(op, h, p.Buffer, p.Offset, g.Buffer, g.Offset, m?.Buffer, m?.Offset ?? 0, v?.Buffer, v?.Offset ?? 0,
            target.Buffer, target.Offset, subtract, p.Length);
    }
}
