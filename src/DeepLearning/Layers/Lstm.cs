using System.Globalization;

namespace DeepLearning;

/// <summary>
/// A long short-term memory layer over a batch-first sequence <c>[batch, time, inputs]</c> (PyTorch's
/// <c>nn.LSTM(batch_first=True)</c>, Flux 0.15's <c>LSTM</c>): per step, with gates in PyTorch's order i, f, g, o,
/// <c>i = σ(W_ii x + b_ii + W_hi h + b_hi)</c>, f and o likewise, <c>g = tanh(…)</c>, <c>c' = f ⊙ c + i ⊙ g</c>,
/// <c>h' = o ⊙ tanh(c')</c>. Parameters <c>weight_ih_l0 [4H, I]</c>, <c>weight_hh_l0 [4H, H]</c>, <c>bias_ih_l0</c>,
/// <c>bias_hh_l0 [4H]</c>, so weights interchange with PyTorch.
/// </summary>
/// <remarks>
/// No state is kept between calls: <see cref="Forward(Tensor)"/> starts from zeros, and
/// <see cref="Forward(Tensor, LstmState?)"/> takes the initial state and returns the final one, so truncated
/// back-propagation through time passes the state along explicitly. With <c>numLayers</c> > 1 the layers are stacked as
/// PyTorch's <c>num_layers</c> (parameters <c>weight_ih_l1</c> …, no dropout between them) and H and C are
/// <c>[layers, batch, hidden]</c>.
/// </remarks>
public sealed class Lstm : Layer
{
    private readonly RecurrentStack _s;
    private readonly RecurrentWeights _w;

    /// <summary>Creates the layer with PyTorch's initialisation (uniform in ±1/√hidden).</summary>
    /// <param name="inputs">Features per step.</param>
    /// <param name="hidden">Size of the hidden and cell states.</param>
    /// <param name="returnSequence">Whether <see cref="Forward(Tensor)"/> returns every step's h <c>[batch, time, hidden]</c>
    /// (the default) or the last step's only <c>[batch, hidden]</c>.</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <param name="numLayers">Stacked layers (PyTorch's <c>num_layers</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the number of layers is not positive.</exception>
    public Lstm(int inputs, int hidden, bool returnSequence = true, ulong? seed = null, int numLayers = 1)
    {
        _s = new RecurrentStack("Lstm", inputs, hidden, 4, numLayers, seed);
        _w = _s.First;
        ReturnSequence = returnSequence;
    }

    /// <summary>Features per step.</summary>
    public int Inputs => _w.Inputs;

    /// <summary>Size of the hidden and cell states.</summary>
    public int Hidden => _w.Hidden;

    /// <summary>Whether the output is the whole sequence of hidden states or the last one.</summary>
    public bool ReturnSequence { get; }

    /// <summary>Stacked layers; the weight properties below are layer 0's, <see cref="Layer.Parameters"/> lists all.</summary>
    public int NumLayers => _s.Count;

    /// <summary><c>weight_ih_l0 [4·hidden, inputs]</c>, row blocks i, f, g, o.</summary>
    public Parameter WeightIh => _w.WeightIh;

    /// <summary><c>weight_hh_l0 [4·hidden, hidden]</c>.</summary>
    public Parameter WeightHh => _w.WeightHh;

    /// <summary><c>bias_ih_l0 [4·hidden]</c>.</summary>
    public Parameter BiasIh => _w.BiasIh;

    /// <summary><c>bias_hh_l0 [4·hidden]</c>.</summary>
    public Parameter BiasHh => _w.BiasHh;

    /// <summary>Runs over <paramref name="input"/> <c>[batch, time, inputs]</c> from a zero state.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, time ≥ 1, inputs]</c>.</exception>
    public override Tensor Forward(Tensor input) => Forward(input, default(LstmState?)).Output;

    /// <summary>
    /// Runs over <paramref name="input"/> <c>[batch, time, inputs]</c> from <paramref name="state"/> (zeros when null);
    /// returns the output (as <see cref="ReturnSequence"/> says, from the last layer) and the final state. H and C are
    /// <c>[batch, hidden]</c>, or <c>[layers, batch, hidden]</c> when stacked, in and out.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, time ≥ 1, inputs]</c>, or a state has the wrong shape.</exception>
    public (Tensor Output, LstmState State) Forward(Tensor input, LstmState? state)
    {
        string name = ToString();
        var cs = new Tensor[_s.Count];
        var (output, h) = _s.Run(name, input, ReturnSequence, (l, x) =>
        {
            // Inside the run, so that a bad input is reported before a missing state.
            Tensor? h0 = null, c0 = null;
            if (state is { } given)
            {
                ArgumentNullException.ThrowIfNull(h0 = given.H, "H");
                ArgumentNullException.ThrowIfNull(c0 = given.C, "C");
            }
            int batch = input.Shape[0], steps = x.Shape[0];
            var w = _s.Layers[l];
            var p = Tensor.LstmSequence(x, _s.Initial(name, "H", h0, l, batch, input), _s.Initial(name, "C", c0, l, batch, input),
                w.WeightIh, w.WeightHh, w.BiasIh + w.BiasHh);
            // p is [2, T + 1, batch, hidden]: the h states, then the c states.
            var hSeq = p.Slice(0, 1).Reshape(p.Shape.Dims[1..].ToArray());
            cs[l] = p.Slice(1, 1).Reshape(p.Shape.Dims[1..].ToArray()).Slice(steps, 1).Reshape(batch, Hidden);
            return hSeq;
        });
        return (output, new LstmState(h, _s.Final(cs)));
    }

    internal static (Tensor H, Tensor C) Resolve(RecurrentWeights w, string layer, LstmState? state, int batch, Tensor x) =>
        state is { } s ? (w.State(layer, "H", s.H, batch, x), w.State(layer, "C", s.C, batch, x)) : (w.Zeros(batch, x), w.Zeros(batch, x));

    /// <summary><c>Lstm(8 => 16)</c>, with <c>, layers: 2</c> when stacked and <c>, last</c> when only the last step is returned.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Lstm({Inputs} => {Hidden}{_s.Suffix(ReturnSequence)})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => _s.Named();
}

/// <summary>
/// One step of an LSTM (PyTorch's <c>nn.LSTMCell</c>, Flux 0.15's <c>LSTMCell</c>): the equations of <see cref="Lstm"/>
/// for an input <c>[batch, inputs]</c> and a state (h, c). Parameters <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>,
/// <c>bias_hh</c> as PyTorch names them.
/// </summary>
public sealed class LstmCell : Layer
{
    private readonly RecurrentWeights _w;

    /// <summary>Creates the cell with PyTorch's initialisation (uniform in ±1/√hidden).</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="hidden">Size of the hidden and cell states.</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public LstmCell(int inputs, int hidden, ulong? seed = null) => _w = new RecurrentWeights("LstmCell", inputs, hidden, 4, seed);

    /// <summary>Input features.</summary>
    public int Inputs => _w.Inputs;

    /// <summary>Size of the hidden and cell states.</summary>
    public int Hidden => _w.Hidden;

    /// <summary><c>weight_ih [4·hidden, inputs]</c>, row blocks i, f, g, o.</summary>
    public Parameter WeightIh => _w.WeightIh;

    /// <summary><c>weight_hh [4·hidden, hidden]</c>.</summary>
    public Parameter WeightHh => _w.WeightHh;

    /// <summary><c>bias_ih [4·hidden]</c>.</summary>
    public Parameter BiasIh => _w.BiasIh;

    /// <summary><c>bias_hh [4·hidden]</c>.</summary>
    public Parameter BiasHh => _w.BiasHh;

    /// <summary>The new hidden state for <paramref name="input"/> <c>[batch, inputs]</c> from a zero state.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, inputs]</c>.</exception>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;

    /// <summary>One step from <paramref name="state"/> (zeros when null): the output h' and the new state (h', c').</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, inputs]</c>, or a state is not <c>[batch, hidden]</c>.</exception>
    public (Tensor Output, LstmState State) Forward(Tensor input, LstmState? state)
    {
        var x = _w.OneStep(ToString(), input);
        int batch = input.Shape[0];
        var (h, c) = Lstm.Resolve(_w, ToString(), state, batch, input);
        var p = Tensor.LstmSequence(x, h, c, WeightIh, WeightHh, BiasIh + BiasHh);
        // p is [2, 2, batch, hidden]: entries (0, 1) and (1, 1) are h' and c'.
        var h1 = p.Reshape(4, batch, Hidden).Slice(1, 1).Reshape(batch, Hidden);
        var c1 = p.Reshape(4, batch, Hidden).Slice(3, 1).Reshape(batch, Hidden);
        return (h1, new LstmState(h1, c1));
    }

    /// <summary><c>LstmCell(8 => 16)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"LstmCell({Inputs} => {Hidden})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => _w.Named("");
}
