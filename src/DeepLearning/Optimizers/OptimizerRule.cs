namespace DeepLearning;

/// <summary>
/// An optimization rule in the style of Optimisers.jl: it holds only hyper-parameters; the state it needs per
/// parameter (moments, a step count) is made by <see cref="Init"/> and kept apart, in an <see cref="OptimizerState"/>.
/// Every rule maps a gradient <c>g</c> to a step <c>δ</c> and the parameter moves by <c>p ← p − δ</c>; rules that
/// only transform the gradient (<see cref="WeightDecay"/>, <see cref="ClipNorm"/>, <see cref="ClipValue"/>) are
/// composed with a descent rule by <see cref="OptimizerChain"/>.
/// </summary>
/// <example>
/// <code>
/// var opt = new Adam(1e-3f).Setup(model);                       // rule + state, bound to the model's parameters
/// var (loss, grads) = Autodiff.ValueAndGradient(() => Loss(x, y), opt.Parameters);
/// opt.Update(grads);
/// </code>
/// </example>
public abstract class OptimizerRule
{
    /// <summary>Makes this rule's state for one parameter: zero moments of its shape, on its device, outside any scope.</summary>
    /// <param name="param">The parameter the state is for.</param>
    public abstract OptimizerState Init(Tensor param);

    /// <summary>
    /// Updates <paramref name="param"/> in place by one step, <c>p ← p − δ(g)</c>, advancing <paramref name="state"/>
    /// (made by <see cref="Init"/> for this parameter). Runs without recording a gradient.
    /// </summary>
    /// <param name="state">This parameter's state.</param>
    /// <param name="param">The parameter to update.</param>
    /// <param name="grad">Its gradient, of its shape; not modified.</param>
    /// <exception cref="ArgumentException">The gradient's shape or device differs from the parameter's.</exception>
    public void Apply(OptimizerState state, Parameter param, Tensor grad)
    {
        Check(state, param, grad);
        using var noGrad = Autodiff.NoGrad();
        Update(state, param, grad, param, subtract: true);
    }

    /// <summary>
    /// The step <c>δ</c> this rule would subtract, as a new tensor in the current scope, advancing
    /// <paramref name="state"/> but leaving <paramref name="param"/> unchanged (Optimisers.jl's <c>apply!</c>).
    /// </summary>
    /// <inheritdoc cref="Apply(OptimizerState, Parameter, Tensor)" path="/param"/>
    /// <inheritdoc cref="Apply(OptimizerState, Parameter, Tensor)" path="/exception"/>
    public Tensor Transform(OptimizerState state, Tensor param, Tensor grad)
    {
        Check(state, param, grad);
        using var noGrad = Autodiff.NoGrad();
        var delta = Tensor.Zeros(param.Shape, param.Device);
        Update(state, param, grad, delta, subtract: false);
        return delta;
    }

    /// <summary>
    /// The rule's step: computes <c>δ</c> from <paramref name="param"/> and <paramref name="grad"/>, advancing
    /// <paramref name="state"/>, then writes it to <paramref name="target"/> (<c>target = δ</c>) or, when
    /// <paramref name="subtract"/>, subtracts it (<c>target −= δ</c>). <paramref name="target"/> may be
    /// <paramref name="param"/> or <paramref name="grad"/> themselves; implementations read an element before writing it.
    /// Tensors made here are temporaries, released (and their objects reused) after the update: state belongs in
    /// <see cref="Init"/>.
    /// Called with recording off.
    /// </summary>
    /// <param name="state">This parameter's state.</param>
    /// <param name="param">The parameter (read only here).</param>
    /// <param name="grad">The incoming gradient (or the previous rule's step, inside a chain).</param>
    /// <param name="target">Where δ goes.</param>
    /// <param name="subtract">Subtract δ from the target rather than overwrite it.</param>
    protected internal abstract void Update(OptimizerState state, Tensor param, Tensor grad, Tensor target, bool subtract);

    /// <summary>Binds this rule to the parameters of <paramref name="model"/>, making each one's state.</summary>
    /// <exception cref="ArgumentNullException">The model is null.</exception>
    public Optimizer Setup(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Optimizer(this, model.NamedParameters().Select(kv => new KeyValuePair<string?, Parameter>(kv.Key, kv.Value)));
    }

    /// <summary>Binds this rule to <paramref name="parameters"/> (a parameter listed twice is updated once).</summary>
    /// <exception cref="ArgumentNullException">The list or one of its parameters is null.</exception>
    public Optimizer Setup(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new Optimizer(this, parameters.Select(p => new KeyValuePair<string?, Parameter>(null, p)));
    }

    /// <summary>The rule and its hyper-parameters, as written in code (<c>Adam(η=0.001, β=(0.9, 0.999), ε=1e-08)</c>).</summary>
    public abstract override string ToString();

    private static void Check(OptimizerState state, Tensor param, Tensor grad)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(param);
        ArgumentNullException.ThrowIfNull(grad);
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0 (or &gt; 0 when <paramref name="positive"/>).</summary>
    private protected static float NonNegative(string rule, string name, float value, bool positive = false)
    {
        if (!float.IsFinite(value) || value < 0 || (positive && value == 0))
            throw new ArgumentOutOfRangeException(name, value, $"{rule}: {name} must be {(positive ? "> 0" : ">= 0")} and finite, got {Format(value)}");
        return value;
    }

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; 1.</summary>
    private protected static float Decay(string rule, string name, float value)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"{rule}: {name} must be in [0, 1), got {Format(value)}");
        return value;
    }

    /// <summary>Formats a hyper-parameter for messages and <see cref="ToString"/>.</summary>
    private protected static string Format(float value) => value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
}
