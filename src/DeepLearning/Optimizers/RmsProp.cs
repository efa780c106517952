namespace DeepLearning;

/// <summary>
/// RMSProp (Hinton), in PyTorch's convention (no momentum, not centred): <c>v ← α·v + (1−α)·g²;
/// p ← p − η·g/(√v + ε)</c>, with v starting at zero and ε outside the root.
/// </summary>
/// <param name="learningRate">η (PyTorch's default 0.01).</param>
/// <param name="alpha">α in [0, 1), the decay of the squared-gradient average (PyTorch's 0.99).</param>
/// <param name="epsilon">ε &gt; 0.</param>
/// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
public sealed class RmsProp(float learningRate = 0.01f, float alpha = 0.99f, float epsilon = 1e-8f) : OptimizerRule, IHasLearningRate
{
    private float _eta = NonNegative("RmsProp", nameof(learningRate), learningRate);

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _eta;
        set => _eta = NonNegative("RmsProp", nameof(LearningRate), value);
    }

    /// <summary>α: the decay of the squared-gradient average.</summary>
    public float Alpha { get; } = Decay("RmsProp", nameof(alpha), alpha);

    /// <summary>ε: added to √v.</summary>
    public float Epsilon { get; } = NonNegative("RmsProp", nameof(epsilon), epsilon, positive: true);

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new([OptimizerState.ZerosLike(param)]);

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        OptimizerUpdates.RmsProp("RmsProp", param, grad, state.Tensors[0], _eta, Alpha, Epsilon, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"RmsProp(η={Format(_eta)}, α={Format(Alpha)}, ε={Format(Epsilon)})";
}

/// <summary>
/// AdaGrad (Duchi et al. 2011), in PyTorch's convention (no learning-rate decay, accumulator starting at zero):
/// <c>s ← s + g²; p ← p − η·g/(√s + ε)</c>.
/// </summary>
/// <param name="learningRate">η (PyTorch's default 0.01).</param>
/// <param name="epsilon">ε &gt; 0 (PyTorch's 1e-10).</param>
/// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
public sealed class AdaGrad(float learningRate = 0.01f, float epsilon = 1e-10f) : OptimizerRule, IHasLearningRate
{
    private float _eta = NonNegative("AdaGrad", nameof(learningRate), learningRate);

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _eta;
        set => _eta = NonNegative("AdaGrad", nameof(LearningRate), value);
    }

    /// <summary>ε: added to √s.</summary>
    public float Epsilon { get; } = NonNegative("AdaGrad", nameof(epsilon), epsilon, positive: true);

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new([OptimizerState.ZerosLike(param)]);

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        OptimizerUpdates.AdaGrad("AdaGrad", param, grad, state.Tensors[0], _eta, Epsilon, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"AdaGrad(η={Format(_eta)}, ε={Format(Epsilon)})";
}
