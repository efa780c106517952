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
/// opt.LearningRate /= 10;                                   // takes effect from the next step (without a Schedule)
/// </code>
/// </example>
public sealed class Optimizer : IDisposable
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

    /// <summary>
    /// The data-parallel group this optimizer's model is replicated over (set by <c>DataParallel</c>), or null: when
    /// set, <see cref="Update"/> first averages the gradients across the replicas.
    /// </summary>
    internal IReplicaGroup? Replicas { get; set; }

    /// <summary>The gradients a training step fills and hands to <see cref="Update"/>, reused step after step.</summary>
    internal Gradients StepGradients => _stepGradients ??= new Gradients(_parameters.Length);
    private Gradients? _stepGradients;

    /// <summary>
    /// A schedule of the learning rate by step: when set, each <see cref="Update"/> first sets the rule's rate to
    /// <c>Schedule.At(Iterations)</c>. While a schedule is set it owns the rate (one precedence, no silent override):
    /// setting <see cref="LearningRate"/> throws, <c>Trainer.Fit</c> refuses a <see cref="LearningRateScheduler"/> or
    /// <see cref="ReduceLROnPlateau"/> callback, and a change of the rule's own rate behind the optimizer's back
    /// (<c>rule.LearningRate = x</c>) makes the next <see cref="Update"/> throw. Set it to null to take the rate back:
    /// the rule keeps the last scheduled rate.
    /// </summary>
    public LearningRateSchedule? Schedule
    {
        get => _schedule;
        set
        {
            _schedule = value;
            _scheduledRate = null;
        }
    }
    private LearningRateSchedule? _schedule;
    // The rate the schedule last gave the rule, to notice a change made to the rule directly.
    private float? _scheduledRate;

    /// <summary>The rule's learning rate η; setting it takes effect from the next step.</summary>
    /// <exception cref="InvalidOperationException">
    /// The rule has no learning rate (a lone <see cref="ClipNorm"/>), or a <see cref="Schedule"/> is set (it owns the rate; set
    /// <c>Schedule = null</c> first).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public float LearningRate
    {
        get => Rated.LearningRate;
        set
        {
            if (_schedule is not null)
                throw new InvalidOperationException(
                    $"Optimizer: cannot set LearningRate = {value}: the schedule {_schedule.GetType().Name} owns the rate while it is set; set opt.Schedule = null first");
            Rated.LearningRate = value;
        }
    }

    /// <summary>Sets the rule's rate from <see cref="Schedule"/> for the coming step, after checking nobody changed it since the last.</summary>
    private void ApplySchedule(LearningRateSchedule schedule)
    {
        var rated = Rated;
        if (_scheduledRate is float last && rated.LearningRate != last)
            throw new InvalidOperationException(
                $"Optimizer.Update: the rule's learning rate was changed to {rated.LearningRate} (the schedule {schedule.GetType().Name} had set {last}); "
                + "while a Schedule is set it owns the rate: set opt.Schedule = null first, or change the schedule");
        float rate = schedule.At(Iterations);
        rated.LearningRate = rate;
        _scheduledRate = rated.LearningRate;
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
    /// <c>g = grads[p]</c>. Temporaries of the step are released before it returns (a rule makes its state in
    /// <see cref="OptimizerRule.Init"/>); the state lives on. Under <c>DataParallel</c>, g is first averaged over all
    /// processes (the entries of <paramref name="grads"/> are replaced by the averages, new tensors in the caller's scope),
    /// so every process applies the same step; every process must then call <see cref="Update"/> equally often.
    /// </summary>
    /// <param name="grads">The gradients of <see cref="Autodiff.ValueAndGradient"/> taken w.r.t. <see cref="Parameters"/>.</param>
    /// <exception cref="KeyNotFoundException">A parameter has no gradient in <paramref name="grads"/>.</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's.</exception>
    /// <exception cref="InvalidOperationException">
    /// The gradients were taken of a loss that depends on none of the parameters (another model's optimizer), or
    /// another thread is using this optimizer at the same time.
    /// </exception>
    public void Update(Gradients grads)
    {
        ArgumentNullException.ThrowIfNull(grads);
        int token = Enter("Optimizer.Update");
        try
        {
            if (grads.Connected == 0 && _parameters.Length > 0) throw Disconnected("Optimizer.Update");
            if (_schedule is not null) ApplySchedule(_schedule);
            using var noGrad = Autodiff.NoGrad();
            // Before the step's scope: the averaged gradients replace the caller's and live as long as they would have.
            Replicas?.AverageGradients(_parameters, grads);
            using var scope = TensorScope.Begin("at the end of the Optimizer.Update that made it");
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                if (!grads.Contains(p))
                    throw new KeyNotFoundException($"Optimizer.Update: no gradient for {Describe(p, _names[i])}; take the gradient w.r.t. opt.Parameters");
                CheckDevice(_states[i], i);
                Rule.Update(_states[i], p, grads[p], p, subtract: true);
            }
            Iterations++;
        }
        finally
        {
            Exit(token);
        }
    }

    /// <summary>
    /// Marks this optimizer as used by the calling thread until <see cref="Exit"/>: training one model on two threads at
    /// once would interleave their tapes and updates. Returns the token to pass to <see cref="Exit"/> (0 when the
    /// thread already holds it, as <see cref="Trainer.TrainStep"/> does around its own <see cref="Update"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread holds it.</exception>
    internal int Enter(string operation)
    {
        int me = Environment.CurrentManagedThreadId;
        int holder = Interlocked.CompareExchange(ref _thread, me, 0);
        if (holder == 0) return me;
        if (holder == me) return 0;
        throw new InvalidOperationException(
            $"{operation}: {this} is being used by another thread (managed thread {holder}) at the same time; one model and its optimizer train on one thread at a time: give each thread its own model and optimizer");
    }

    /// <summary>Ends what <see cref="Enter"/> began.</summary>
    internal void Exit(int token)
    {
        if (token != 0) Volatile.Write(ref _thread, 0);
    }

    private int _thread;

    /// <summary>The error for gradients that reach none of the parameters: the optimizer belongs to another model.</summary>
    internal InvalidOperationException Disconnected(string operation)
    {
        var names = string.Join(", ", _parameters.Select((p, i) => Describe(p, _names[i])).Take(6)) + (_parameters.Length > 6 ? ", …" : "");
        return new InvalidOperationException(
            $"{operation}: the loss depends on none of the {_parameters.Length} parameters of {this} ({names}), so training would change nothing; was the optimizer set up on another model? Call rule.Setup(model) with the model the loss uses");
    }

    /// <summary>
    /// Moves every state tensor (moments) to <paramref name="device"/> in place, to follow a model moved with
    /// <c>model.To(device)</c>; returns this optimizer. (Setting a rule up again after the move also works, with fresh state.)
    /// </summary>
    public Optimizer To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        foreach (var t in StateTensors()) t.MoveTo(device);
        return this;
    }

    /// <summary>Releases the memory of the state tensors (device memory on a GPU).</summary>
    public void Dispose()
    {
        foreach (var t in StateTensors()) t.Dispose();
    }

    private IEnumerable<Tensor> StateTensors()
    {
        var pending = new Stack<OptimizerState>(_states);
        while (pending.Count > 0)
        {
            var state = pending.Pop();
            foreach (var t in state.Tensors) yield return t;
            foreach (var c in state.Children) pending.Push(c);
        }
    }

    /// <summary>Throws unless every state tensor of parameter <paramref name="i"/> (a chain's rules included) is on the parameter's device.</summary>
    private void CheckDevice(OptimizerState state, int i)
    {
        var p = _parameters[i];
        for (int k = 0; k < state.Tensors.Count; k++)
            if (state.Tensors[k].Device != p.Device)
                throw new InvalidOperationException(
                    $"Optimizer.Update: {Describe(p, _names[i])} is on {p.Device} but its optimizer state is on {state.Tensors[k].Device}; after model.To(device), call opt.To(device) or set the rule up again");
        for (int k = 0; k < state.Children.Count; k++) CheckDevice(state.Children[k], i);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Optimizer({Rule}, {_parameters.Length} parameters, {Iterations} steps)";

    private static string Describe(Tensor? p, string? name) => name is null ? $"parameter {p?.Shape}" : $"parameter '{name}' {p?.Shape}";
}
