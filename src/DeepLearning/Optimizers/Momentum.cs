namespace DeepLearning;

/// <summary>
/// Gradient descent with (heavy-ball) momentum, in PyTorch's convention (<c>SGD(momentum=ρ)</c>, no dampening):
/// <c>v ← ρ·v + g; p ← p − η·v</c>, with <c>v</c> starting at zero. (Flux's <c>Momentum</c> folds η into v instead;
/// the two agree while η is constant.)
/// </summary>
public class Momentum : OptimizerRule, IHasLearningRate
{
    private readonly string _name;
    private readonly bool _nesterov;
    private float _eta;

    /// <summary>Creates the rule.</summary>
    /// <param name="learningRate">η.</param>
    /// <param name="momentum">ρ in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public Momentum(float learningRate = 0.01f, float momentum = 0.9f) : this("Momentum", learningRate, momentum, nesterov: false)
    {
    }

    private protected Momentum(string name, float learningRate, float momentum, bool nesterov)
    {
        _name = name;
        _nesterov = nesterov;
        _eta = NonNegative(name, nameof(learningRate), learningRate);
        Rho = Decay(name, nameof(momentum), momentum);
    }

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _eta;
        set => _eta = NonNegative(_name, nameof(LearningRate), value);
    }

    /// <summary>ρ: the fraction of the velocity kept each step.</summary>
    public float Rho { get; }

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new([OptimizerState.ZerosLike(param)]);

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        OptimizerUpdates.Momentum(_name, param, grad, state.Tensors[0], _eta, Rho, _nesterov, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{_name}(η={Format(_eta)}, ρ={Format(Rho)})";
}

/// <summary>
/// Nesterov momentum, in PyTorch's convention (<c>SGD(momentum=ρ, nesterov=True)</c>):
/// <c>v ← ρ·v + g; p ← p − η·(g + ρ·v)</c>, with <c>v</c> starting at zero.
/// </summary>
/// <param name="learningRate">η.</param>
/// <param name="momentum">ρ in [0, 1).</param>
/// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
public sealed class Nesterov(float learningRate = 0.001f, float momentum = 0.9f)
    : Momentum("Nesterov", learningRate, momentum, nesterov: true);
