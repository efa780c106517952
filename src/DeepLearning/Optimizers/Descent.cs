namespace DeepLearning;

/// <summary>Plain gradient descent: <c>p ← p − η·g</c> (Flux's <c>Descent</c>, PyTorch's <c>SGD</c> without momentum).</summary>
/// <param name="learningRate">η (Flux's default 0.1).</param>
/// <exception cref="ArgumentOutOfRangeException">η is negative or not finite.</exception>
public class Descent(float learningRate = 0.1f) : OptimizerRule, IHasLearningRate
{
    private float _eta = NonNegative("Descent", nameof(learningRate), learningRate);

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _eta;
        set => _eta = NonNegative(GetType().Name, nameof(LearningRate), value);
    }

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param) => new();

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        OptimizerUpdates.Descent(GetType().Name, param, grad, _eta, target, subtract);
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}(η={Format(_eta)})";
}

/// <summary>Stochastic gradient descent, another name for <see cref="Descent"/>: <c>p ← p − η·g</c>.</summary>
/// <param name="learningRate">η.</param>
/// <exception cref="ArgumentOutOfRangeException">η is negative or not finite.</exception>
public sealed class Sgd(float learningRate = 0.1f) : Descent(learningRate);
