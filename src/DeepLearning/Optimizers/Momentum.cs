namespace DeepLearning;

/// <summary>
/// Gradient descent with (heavy-ball) momentum, in PyTorch's convention (<c>SGD(momentum=ρ)</c>, no dampening):
/// <c>v ← ρ·v + g; p ← p − η·v</c>, with <c>v</c> starting at zero. (Flux's <c>Momentum</c> folds η into v instead;
/// the two agree while η is constant.)
/// </summary>
/// <param name="learningRate">η.</param>
/// <param name="momentum">ρ in [0, 1).</param>
/// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
public sealed class Momentum(float learningRate = 0.01f, float momentum = 0.9f) : OptimizerRule, IHasLearningRate
{
    private float _eta = NonNegative("Momentum", nameof(learningRate), learningRate);

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _eta;
        set => _eta = NonNegative("Momentum", nameof(LearningRate), value);
    }

    /// <summary>ρ: the fraction of the velocity kept each step.</summary>
    public float Rho { get; } = Decay("Momentum", nameof(momentum), momentum);

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new([OptimizerState.ZerosLike(param)]);

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        OptimizerUpdates.Momentum("Momentum", param, grad, state.Tensors[0], _eta, Rho, nesterov: false, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Momentum(η={Format(_eta)}, ρ={Format(Rho)})";
}

/// <summary>
/// Nesterov momentum, in PyTorch's convention (<c>SGD(momentum=ρ, nesterov=True)</c>):
/// <c>v ← ρ·v + g; p ← p − η·(g + ρ·v)</c>, with <c>v</c> starting at zero.
/// </summary>
/// <param name="learningRate">η.</param>
/// <param name="momentum">ρ in [0, 1).</param>
/// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
public sealed class Nesterov(float learningRate = 0.001f, float momentum = 0.9f) : OptimizerRule, IHasLearningRate
{
    private float _eta = NonNegative("Nesterov", nameof(learningRate), learningRate);

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _eta;
        set => _eta = NonNegative("Nesterov", nameof(LearningRate), value);
    }

    /// <summary>ρ: the fraction of the velocity kept each step.</summary>
    public float Rho { get; } = Decay("Nesterov", nameof(momentum), momentum);

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new([OptimizerState.ZerosLike(param)]);

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        OptimizerUpdates.Momentum("Nesterov", param, grad, state.Tensors[0], _eta, Rho, nesterov: true, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Nesterov(η={Format(_eta)}, ρ={Format(Rho)})";
}
