namespace DeepLearning;

/// <summary>
/// A rule bound to a model's parameters, with each parameter's state (Optimisers.jl's state tree, flattened): made
/// by <see cref="OptimizerRule.Setup(Layer)"/>. <see cref="Update"/> moves every parameter in place, outside the tape.
/// </summary>
/// <example>
/// <code>
/// var opt = new Adam(1e-3f).Setup(model);
/// var (loss, grads) = Autodiff.ValueAndGradient(() => Loss(x, y), opt.Parameters);
/// opt.Update(grads);
/// opt.LearningRate /= 10;                                   // takes effect from the next step
/// </code>
/// </example>
public sealed class Optimizer
{
    private readonly Parameter[] _parameters;
    private readonly OptimizerState[] _states;
    private readonly string?[] _names;

    internal Optimizer(OptimizerRule rule, IEnumerable<KeyValuePair<string?, Parameter>> parameters)
    {
        Rule = rule;
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var list = new List<Parameter>();
        var names = new List<string?>();
        foreach (var (name, p) in parameters)
        {
            if (p is null) throw new ArgumentException("Setup: a parameter is null", nameof(parameters));
            if (!seen.Add(p)) continue;
            list.Add(p);
            names.Add(name ?? p.Name);
        }
        _parameters = [.. list];
        _names = [.. names];
        _states = [.. _parameters.Select(rule.Init)];
    }

    /// <summary>The rule (hyper-parameters) this optimizer applies.</summary>
    public OptimizerRule Rule { get; }

    /// <summary>The parameters it updates, in the model's order; pass them to <see cref="Autodiff.ValueAndGradient"/>.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Each parameter's state, in the order of <see cref="Parameters"/>.</summary>
    public IReadOnlyList<OptimizerState> States => _states;

    /// <summary>Number of <see cref="Update"/> calls so far (the step count a <see cref="Schedule"/> reads).</summary>
    public int Iterations { get; internal set; }

    /// <summary>The gradients a training step fills and hands to <see cref="Update"/>, reused step after step.</summary>
    internal Gradients StepGradients => _stepGradients ??= new Gradients(_parameters.Length);
    private Gradients? _stepGradients;

    /// <summary>
    /// A schedule of the learning rate by step: when set, each <see cref="Update"/> first sets
    /// <see cref="LearningRate"/> to <c>Schedule.At(Iterations)</c>.
    /// </summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>The rule's learning rate η; setting it takes effect from the next step.</summary>
    /// <exception cref="InvalidOperationException">The rule has no learning rate (a lone <see cref="ClipNorm"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public float LearningRate
    {
        get => Rated.LearningRate;
        set => Rated.LearningRate = value;
    }

    /// <summary>Whether the rule has a learning rate that <see cref="LearningRate"/> can read and set.</summary>
    public bool HasLearningRate => Rule is IHasLearningRate && (Rule is not OptimizerChain c || c.Rules.Any(r => r is IHasLearningRate));

    private IHasLearningRate Rated => Rule as IHasLearningRate
        ?? throw new InvalidOperationException($"Optimizer: {Rule} has no learning rate");

    /// <summary>The state of <paramref name="parameter"/>.</summary>
    /// <exception cref="KeyNotFoundException">The parameter is not one this optimizer updates.</exception>
    public OptimizerState StateOf(Parameter parameter)
    {
        int i = Array.IndexOf(_parameters, parameter);
        return i >= 0 ? _states[i] : throw new KeyNotFoundException($"Optimizer: {Describe(parameter, parameter?.Name)} is not among its parameters");
    }

    /// <summary>
    /// Moves every parameter by one step of the rule, in place and without recording: <c>p ← p − δ(g)</c>, where
    /// <c>g = grads[p]</c>. Temporaries of the step are released before it returns, and their objects reused (a rule
    /// must make its state in <see cref="OptimizerRule.Init"/>, not keep tensors made here); the state lives on.
    /// </summary>
    /// <param name="grads">The gradients of <see cref="Autodiff.ValueAndGradient"/> taken w.r.t. <see cref="Parameters"/>.</param>
    /// <exception cref="KeyNotFoundException">A parameter has no gradient in <paramref name="grads"/>.</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's.</exception>
    public void Update(Gradients grads)
    {
        ArgumentNullException.ThrowIfNull(grads);
        if (Schedule is not null) LearningRate = Schedule.At(Iterations);
        using var noGrad = Autodiff.NoGrad();
        using var scope = TensorScope.BeginStep();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (!grads.Contains(p))
                throw new KeyNotFoundException($"Optimizer.Update: no gradient for {Describe(p, _names[i])}; take the gradient w.r.t. opt.Parameters");
            Rule.Update(_states[i], p, grads[p], p, subtract: true);
        }
        Iterations++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Optimizer({Rule}, {_parameters.Length} parameters, {Iterations} steps)";

    private static string Describe(Tensor? p, string? name) => name is null ? $"parameter {p?.Shape}" : $"parameter '{name}' {p?.Shape}";
}
