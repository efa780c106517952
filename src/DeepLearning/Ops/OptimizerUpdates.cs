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

    /// <summary>The Euclidean norm of all elements of <paramref name="g"/>, reduced on its device.</summary>
    public static float Norm(Tensor g)
    {
        using var scope = TensorScope.Begin();
        // Scaled by the largest magnitude first, so squares of large finite gradients cannot overflow float.
        var flat = g.Reshape(g.Length);
        float scale = g.Length == 0 ? 0f : Kernels.Reduce(ReduceOp.Max, Kernels.Unary(UnaryOp.Abs, 0f, flat), 0).Item();
        if (!(scale > 0f) || float.IsInfinity(scale)) return scale;
        var squares = Kernels.Unary(UnaryOp.Square, 0f, Kernels.Unary(UnaryOp.MulScalar, 1f / scale, flat));
        return scale * MathF.Sqrt(Kernels.Reduce(ReduceOp.Sum, squares, 0).Item());
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
