namespace DeepLearning;

/// <summary>The state of an LSTM: hidden state <c>H</c> and cell state <c>C</c>, each <c>[batch, hidden]</c>.</summary>
/// <param name="H">Hidden state <c>[batch, hidden]</c> (also the output of the last step).</param>
/// <param name="C">Cell state <c>[batch, hidden]</c>.</param>
public readonly record struct LstmState(Tensor H, Tensor C);

/// <summary>
/// The four parameters of a recurrent layer in PyTorch's layout: <c>weight_ih [gates·H, I]</c>, <c>weight_hh [gates·H, H]</c>,
/// <c>bias_ih</c>, <c>bias_hh [gates·H]</c>, each initialised uniform in ±1/√H as PyTorch does.
/// </summary>
internal sealed class RecurrentWeights
{
    public RecurrentWeights(string layer, int inputs, int hidden, int gates, ulong? seed)
    {
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, $"{layer}: input size must be positive");
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, $"{layer}: hidden size must be positive");
        Inputs = inputs;
        Hidden = hidden;
        ulong s = seed ?? Init.NextSeed();
        float k = 1f / MathF.Sqrt(hidden);
        using var scope = TensorScope.Begin();
        Parameter U(ulong i, params int[] shape) => new(Tensor.Uniform(new Shape(shape), -k, k, s + i));
        WeightIh = U(0, gates * hidden, inputs);
        WeightHh = U(1, gates * hidden, hidden);
        BiasIh = U(2, gates * hidden);
        BiasHh = U(3, gates * hidden);
    }

    public int Inputs { get; }

    public int Hidden { get; }

    public Parameter WeightIh { get; }

    public Parameter WeightHh { get; }

    public Parameter BiasIh { get; }

    public Parameter BiasHh { get; }

    /// <summary>The parameters under PyTorch's names, <paramref name="suffix"/> appended (<c>_l0</c> for a sequence layer).</summary>
    public IEnumerable<KeyValuePair<string, Parameter>> Named(string suffix)
    {
        yield return new("weight_ih" + suffix, WeightIh);
        yield return new("weight_hh" + suffix, WeightHh);
        yield return new("bias_ih" + suffix, BiasIh);
        yield return new("bias_hh" + suffix, BiasHh);
    }

    /// <summary>Checks a batch-first sequence <c>[batch, time, inputs]</c> and returns it time-major <c>[time, batch, inputs]</c>.</summary>
    public Tensor TimeMajor(string layer, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3 || x.Shape[2] != Inputs)
            throw new ArgumentException($"{layer}: input {x.Shape} must be [batch, time, {Inputs}] (batch first)", nameof(x));
        if (x.Shape[1] == 0)
            throw new ArgumentException($"{layer}: the sequence is empty (input {x.Shape}); expected at least one time step", nameof(x));
        if (x.Shape[0] == 0) throw new ArgumentException($"{layer}: the batch is empty (input {x.Shape})", nameof(x));
        return x.Permute(1, 0, 2);
    }

    /// <summary>Checks one step's input <c>[batch, inputs]</c> and returns it as a sequence of one step <c>[1, batch, inputs]</c>.</summary>
    public Tensor OneStep(string layer, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Shape[1] != Inputs || x.Shape[0] == 0)
            throw new ArgumentException($"{layer}: input {x.Shape} must be [batch ≥ 1, {Inputs}]", nameof(x));
        return x.Reshape(1, x.Shape[0], Inputs);
    }

    /// <summary>Checks a state tensor against <c>[batch, hidden]</c>.</summary>
    public Tensor State(string layer, string which, Tensor? state, int batch, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(state, which);
        if (state.Rank != 2 || state.Shape[0] != batch || state.Shape[1] != Hidden)
            throw new ArgumentException($"{layer}: the state {which} has shape {state.Shape}, expected [{batch},{Hidden}] for input {x.Shape}", which);
        return state;
    }

    /// <summary>
    /// One step of a cell of one state: checks <paramref name="input"/> <c>[batch, inputs]</c> and
    /// <paramref name="state"/> (zeros when null), and returns h' as both the output and the new state, where
    /// <paramref name="sequence"/>(x as one step <c>[1, batch, inputs]</c>, h) gives the states h, h' <c>[2, batch, hidden]</c>.
    /// </summary>
    public (Tensor Output, Tensor State) Step(string layer, Tensor input, Tensor? state, Func<Tensor, Tensor, Tensor> sequence)
    {
        var x = OneStep(layer, input);
        int batch = input.Shape[0];
        var h = state is null ? Zeros(batch, input) : State(layer, "h", state, batch, input);
        var (_, last) = Outputs(sequence(x, h), returnSequence: false);
        return (last, last);
    }

    /// <summary>A zero state <c>[batch, hidden]</c> on <paramref name="x"/>'s device.</summary>
    public Tensor Zeros(int batch, Tensor x) => Tensor.Zeros(new Shape(batch, Hidden), x.Device);

    /// <summary>
    /// From the states h₀ … h_T <c>[T + 1, batch, hidden]</c>: the outputs (h₁ … h_T batch first, or h_T alone) and the
    /// final state h_T.
    /// </summary>
    public static (Tensor Output, Tensor Last) Outputs(Tensor states, bool returnSequence)
    {
        int steps = states.Shape[0] - 1, batch = states.Shape[1], hidden = states.Shape[2];
        var last = states.Slice(steps, 1).Reshape(batch, hidden);
        return (returnSequence ? states.Slice(1, steps).Permute(1, 0, 2) : last, last);
    }
}

/// <summary>
/// The weights of a stack of recurrent layers (PyTorch's <c>num_layers</c>): layer 0 reads the inputs, layer l > 0 the
/// hidden sequence of layer l − 1; parameters <c>weight_ih_l{l}</c> …. One layer takes and returns states
/// <c>[batch, hidden]</c>; a stack takes and returns <c>[layers, batch, hidden]</c>, PyTorch's <c>h_0</c> layout.
/// </summary>
internal sealed class RecurrentStack
{
    public RecurrentStack(string layer, int inputs, int hidden, int gates, int numLayers, ulong? seed)
    {
        if (numLayers <= 0) throw new ArgumentOutOfRangeException(nameof(numLayers), numLayers, $"{layer}: the number of layers must be positive");
        ulong s = seed ?? Init.NextSeed();
        // Layer 0 draws from the seed as a single layer does, so numLayers: 1 gives the weights it always gave.
        Layers = new RecurrentWeights[numLayers];
        for (int l = 0; l < numLayers; l++) Layers[l] = new RecurrentWeights(layer, l == 0 ? inputs : hidden, hidden, gates, s + 4UL * (ulong)l);
    }

    public RecurrentWeights[] Layers { get; }

    public RecurrentWeights First => Layers[0];

    /// <summary>What a sequence layer adds to its name: <c>, layers: 2</c> when stacked, <c>, last</c> when only the last step is returned.</summary>
    public string Suffix(bool returnSequence) =>
        (Count == 1 ? "" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $", layers: {Count}")) + (returnSequence ? "" : ", last");

    public int Count => Layers.Length;

    public IEnumerable<KeyValuePair<string, Parameter>> Named()
    {
        for (int l = 0; l < Layers.Length; l++)
            foreach (var p in Layers[l].Named(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"_l{l}"))) yield return p;
    }

    /// <summary>Checks the caller's state (null: zeros) and returns layer <paramref name="l"/>'s part <c>[batch, hidden]</c>.</summary>
    public Tensor Initial(string layer, string which, Tensor? state, int l, int batch, Tensor x)
    {
        if (state is null) return First.Zeros(batch, x);
        if (Count == 1) return First.State(layer, which, state, batch, x);
        if (state.Rank != 3 || state.Shape[0] != Count || state.Shape[1] != batch || state.Shape[2] != First.Hidden)
            throw new ArgumentException(
                $"{layer}: the state {which} has shape {state.Shape}, expected [{Count},{batch},{First.Hidden}] (layers, batch, hidden) for input {x.Shape}", which);
        return state.Slice(l, 1).Reshape(batch, First.Hidden);
    }

    /// <summary>The layers' final states <c>[batch, hidden]</c> as the caller gets them back.</summary>
    public Tensor Final(Tensor[] finals)
    {
        if (finals.Length == 1) return finals[0];
        var parts = new Tensor[finals.Length];
        for (int l = 0; l < parts.Length; l++) parts[l] = finals[l].Reshape(1, finals[l].Shape[0], finals[l].Shape[1]);
        return Tensor.Concat(0, parts);
    }

    /// <summary>
    /// Runs the stack over <paramref name="input"/> <c>[batch, time, inputs]</c> for a layer of one state, where
    /// <paramref name="sequence"/>(weights, x time-major, h₀) gives the states h₀ … h_T <c>[T + 1, batch, hidden]</c>.
    /// </summary>
    public (Tensor Output, Tensor State) Run(string layer, Tensor input, Tensor? state, bool returnSequence,
        Func<RecurrentWeights, Tensor, Tensor, Tensor> sequence) =>
        Run(layer, input, returnSequence, (l, x) => sequence(Layers[l], x, Initial(layer, "h", state, l, input.Shape[0], input)));

    /// <summary>
    /// Runs the stack over <paramref name="input"/> <c>[batch, time, inputs]</c>, where <paramref name="layerStates"/>(l,
    /// x time-major) runs layer l from its initial state (its own to check) and gives its hidden states h₀ … h_T
    /// <c>[T + 1, batch, hidden]</c>; h₁ … h_T are the next layer's input. Returns the last layer's output and the
    /// layers' final hidden states.
    /// </summary>
    public (Tensor Output, Tensor State) Run(string layer, Tensor input, bool returnSequence, Func<int, Tensor, Tensor> layerStates)
    {
        var x = First.TimeMajor(layer, input);
        int batch = input.Shape[0], steps = x.Shape[0];
        var finals = new Tensor[Count];
        Tensor output = null!;
        for (int l = 0; l < Count; l++)
        {
            var states = layerStates(l, x);
            if (l == Count - 1) (output, finals[l]) = RecurrentWeights.Outputs(states, returnSequence);
            else finals[l] = states.Slice(steps, 1).Reshape(batch, First.Hidden);
            x = states.Slice(1, steps);
        }
        return (output, Final(finals));
    }
}
