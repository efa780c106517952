namespace DeepLearning;

/// <summary>
/// Composes rules left to right (Optimisers.jl's <c>OptimiserChain</c>): each rule's step δ is the next one's
/// gradient, and the last rule's step is subtracted from the parameter. <c>new OptimizerChain(new ClipNorm(1f),
/// new Adam(1e-3f))</c> clips each gradient, then takes an Adam step.
/// </summary>
/// <remarks>
/// Between rules the step lives in one scratch tensor per parameter, kept in the chain's state, so a step allocates
/// nothing; the incoming gradient is never modified.
/// </remarks>
public sealed class OptimizerChain : OptimizerRule, IHasLearningRate
{
    private readonly OptimizerRule[] _rules;

    /// <summary>Chains <paramref name="rules"/>, applied in order.</summary>
    /// <exception cref="ArgumentException">No rules were given, or one is null.</exception>
    public OptimizerChain(params OptimizerRule[] rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Length == 0) throw new ArgumentException("OptimizerChain: give at least one rule", nameof(rules));
        for (int i = 0; i < rules.Length; i++)
            if (rules[i] is null) throw new ArgumentException($"OptimizerChain: rule {i} is null", nameof(rules));
        _rules = [.. rules];
    }

    /// <summary>The rules, in the order they are applied.</summary>
    public IReadOnlyList<OptimizerRule> Rules => _rules;

    /// <summary>
    /// The learning rate of the first rule that has one; setting it sets every such rule's.
    /// </summary>
    /// <exception cref="InvalidOperationException">No rule in the chain has a learning rate.</exception>
    public float LearningRate
    {
        get => _rules.OfType<IHasLearningRate>().FirstOrDefault()?.LearningRate ?? throw NoRate();
        set
        {
            var rated = _rules.OfType<IHasLearningRate>().ToList();
            if (rated.Count == 0) throw NoRate();
            foreach (var r in rated) r.LearningRate = value;
        }
    }

    /// <inheritdoc/>
    public override OptimizerState Init(Tensor param)
    {
        var children = _rules.Select(r => r.Init(param)).ToArray();
        return new OptimizerState(_rules.Length > 1 ? [OptimizerState.ZerosLike(param)] : [], children);
    }

    /// <inheritdoc/>
    protected internal override void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract)
    {
        int n = _rules.Length;
        if (state.Children.Count != n)
            throw new ArgumentException($"OptimizerChain: the state holds {state.Children.Count} rule states, the chain has {n} rules; make it with this chain's Init");
        if (n == 1)
        {
            _rules[0].Update(state.Children[0], param, grad, target, subtract);
        }
        else
        {
            var scratch = state.Tensors[0];
            _rules[0].Update(state.Children[0], param, grad, scratch, subtract: false);
            for (int i = 1; i < n - 1; i++) _rules[i].Update(state.Children[i], param, scratch, scratch, subtract: false);
            _rules[n - 1].Update(state.Children[n - 1], param, scratch, target, subtract);
        }
        state.Step++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"OptimizerChain({string.Join(", ", _rules.Select(r => r.ToString()))})";

    private static InvalidOperationException NoRate() =>
        new("OptimizerChain: no rule in the chain has a learning rate (add Descent, Adam …)");
}
