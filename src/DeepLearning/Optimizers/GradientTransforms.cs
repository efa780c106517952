namespace DeepLearning;

/// <summary>
/// Coupled (L2) weight decay as a gradient transform: <c>δ = g + λ·p</c>, as PyTorch's <c>weight_decay</c> option
/// of SGD and Optimisers.jl's <c>WeightDecay</c>. Put it before the descent rule in an <see cref="OptimizerChain"/>:
/// <c>new OptimizerChain(new WeightDecay(5e-4f), new Momentum())</c>. Alone it steps with η = 1.
/// </summary>
/// <param name="lambda">λ ≥ 0.</param>
/// <exception cref="ArgumentOutOfRangeException">λ is negative or not finite.</exception>
public sealed class WeightDecay(float lambda = 5e-4f) : OptimizerRule
{
    /// <summary>λ: the decay coefficient.</summary>
    public float Lambda { get; } = NonNegative("WeightDecay", nameof(lambda), lambda);

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new();

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        OptimizerUpdates.WeightDecay("WeightDecay", param, grad, Lambda, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"WeightDecay(λ={Format(Lambda)})";
}

/// <summary>
/// Rescales each parameter's gradient so its Euclidean norm is at most <c>c</c>: <c>δ = g·min(1, c/‖g‖₂)</c>, the norm
/// taken per parameter tensor (as Optimisers.jl's <c>ClipNorm</c>; PyTorch's <c>clip_grad_norm_</c> takes one norm
/// over all parameters). Compose it before a descent rule: <c>new OptimizerChain(new ClipNorm(1f), new Adam())</c>.
/// </summary>
/// <param name="maxNorm">c &gt; 0.</param>
/// <exception cref="ArgumentOutOfRangeException">c is not positive and finite.</exception>
public sealed class ClipNorm(float maxNorm = 10f) : OptimizerRule
{
    /// <summary>c: the largest norm let through.</summary>
    public float MaxNorm { get; } = NonNegative("ClipNorm", nameof(maxNorm), maxNorm, positive: true);

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new();

    /// <inheritdoc/>
    /// <remarks>
    /// On the CPU the norm is read in place and a NaN or infinite norm throws. On another device the norm and the scale
    /// stay on the device (no read, no synchronisation): a non-finite gradient then makes the step NaN, and the next
    /// step's loss reports it.
    /// </remarks>
    /// <exception cref="InvalidOperationException">On the CPU: the gradient's norm is NaN or infinite.</exception>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        if (OptimizerUpdates.HostNorm(grad) is float norm)
        {
            if (!float.IsFinite(norm))
                throw new InvalidOperationException($"ClipNorm: the gradient of {Describe(param)} has norm {norm}; it holds NaN or infinite values");
            OptimizerUpdates.Descent("ClipNorm", param, grad, norm > MaxNorm ? MaxNorm / norm : 1f, target, subtract);
        }
        else OptimizerUpdates.ClipNormOnDevice("ClipNorm", param, grad, MaxNorm, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"ClipNorm(c={Format(MaxNorm)})";

    private static string Describe(Tensor p) => p.Name is null ? $"a parameter of shape {p.Shape}" : $"'{p.Name}' {p.Shape}";
}

/// <summary>Clamps each gradient element to [−c, c]: <c>δ = clamp(g, −c, c)</c> (Optimisers.jl's <c>ClipGrad</c>). NaN stays NaN.</summary>
/// <param name="bound">c &gt; 0.</param>
/// <exception cref="ArgumentOutOfRangeException">c is not positive and finite.</exception>
public sealed class ClipValue(float bound = 10f) : OptimizerRule
{
    /// <summary>c: the largest magnitude let through.</summary>
    public float Bound { get; } = NonNegative("ClipValue", nameof(bound), bound, positive: true);

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new();

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        OptimizerUpdates.ClipValue("ClipValue", param, grad, Bound, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"ClipValue(c={Format(Bound)})";
}
