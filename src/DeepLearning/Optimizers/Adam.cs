namespace DeepLearning;

/// <summary>
/// Adam (Kingma &amp; Ba 2015), as in PyTorch and Optimisers.jl: at step t (from 1),
/// <c>m ← β₁·m + (1−β₁)·g; v ← β₂·v + (1−β₂)·g²; m̂ = m/(1−β₁ᵗ); v̂ = v/(1−β₂ᵗ); p ← p − η·m̂/(√v̂ + ε)</c>.
/// One fused kernel per parameter.
/// </summary>
/// <param name="learningRate">η.</param>
/// <param name="beta1">β₁ in [0, 1), the first-moment decay.</param>
/// <param name="beta2">β₂ in [0, 1), the second-moment decay.</param>
/// <param name="epsilon">ε &gt; 0, added to √v̂.</param>
/// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
public class Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : OptimizerRule, IHasLearningRate
{
    private float _eta = NonNegative("Adam", nameof(learningRate), learningRate);

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _eta;
        set => _eta = NonNegative(GetType().Name, nameof(LearningRate), value);
    }

    /// <summary>β₁: the first-moment decay.</summary>
    public float Beta1 { get; } = Decay("Adam", nameof(beta1), beta1);

    /// <summary>β₂: the second-moment decay.</summary>
    public float Beta2 { get; } = Decay("Adam", nameof(beta2), beta2);

    /// <summary>ε: keeps the step finite where v̂ is near zero.</summary>
    public float Epsilon { get; } = NonNegative("Adam", nameof(epsilon), epsilon, positive: true);

    /// <summary>λ of the decoupled weight decay; 0 for Adam (see <see cref="AdamW"/>).</summary>
    private protected virtual float DecoupledDecay => 0f;

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new([OptimizerState.ZerosLike(param), OptimizerState.ZerosLike(param)]);

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        int t = state.Step + 1;
        OptimizerUpdates.Adam(GetType().Name, param, grad, state.Tensors[0], state.Tensors[1], _eta, Beta1, Beta2, Epsilon, DecoupledDecay, t, target, subtract);
        state.Step = t;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}(η={Format(_eta)}, β=({Format(Beta1)}, {Format(Beta2)}), ε={Format(Epsilon)}{Extra})";

    private protected virtual string Extra => "";
}

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019), as PyTorch's <c>AdamW</c>:
/// <c>p ← p − η·λ·p − η·m̂/(√v̂ + ε)</c>, the decay using p before the step and scaled by the current η (so
/// schedules scale it too). Unlike <see cref="WeightDecay"/> in a chain, the decay does not pass through the moments.
/// </summary>
/// <param name="learningRate">η.</param>
/// <param name="weightDecay">λ ≥ 0 (PyTorch's default 0.01).</param>
/// <param name="beta1">β₁ in [0, 1).</param>
/// <param name="beta2">β₂ in [0, 1).</param>
/// <param name="epsilon">ε &gt; 0.</param>
/// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
public sealed class AdamW(float learningRate = 0.001f, float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    : Adam(learningRate, beta1, beta2, epsilon)
{
    /// <summary>λ: the decoupled weight decay.</summary>
    public float WeightDecay { get; } = NonNegative("AdamW", nameof(weightDecay), weightDecay);

    private protected override float DecoupledDecay => WeightDecay;

    private protected override string Extra => $", λ={Format(WeightDecay)}";
}
