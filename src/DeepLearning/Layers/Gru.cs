using System.Globalization;

namespace DeepLearning;

/// <summary>
/// A gated recurrent unit layer over a batch-first sequence <c>[batch, time, inputs]</c> (PyTorch's
/// <c>nn.GRU(batch_first=True)</c>, Flux 0.15's <c>GRU</c>): per step, with gates in PyTorch's order r, z, n,
/// <c>r = σ(W_ir x + b_ir + W_hr h + b_hr)</c>, z likewise, <c>n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))</c>,
/// <c>h' = (1 − z) ⊙ n + z ⊙ h</c>. Parameters <c>weight_ih_l0 [3H, I]</c>, <c>weight_hh_l0 [3H, H]</c>,
/// <c>bias_ih_l0</c>, <c>bias_hh_l0 [3H]</c>, so weights interchange with PyTorch.
/// </summary>
/// <remarks>
/// No state is kept between calls: <see cref="Forward(Tensor)"/> starts from zeros, and
/// <see cref="Forward(Tensor, Tensor?)"/> takes the initial state <c>[batch, hidden]</c> and returns the final one.
/// With <c>numLayers</c> > 1 the layers are stacked as PyTorch's <c>num_layers</c> (parameters <c>weight_ih_l1</c> …, no
/// dropout between them) and the states are <c>[layers, batch, hidden]</c>.
/// </remarks>
public sealed class Gru : Layer
{
    private readonly RecurrentStack _s;
    private readonly RecurrentWeights _w;

    /// <summary>Creates the layer with PyTorch's initialisation (uniform in ±1/√hidden).</summary>
    /// <param name="inputs">Features per step.</param>
    /// <param name="hidden">Size of the hidden state.</param>
    /// <param name="returnSequence">Whether <see cref="Forward(Tensor)"/> returns every step's h <c>[batch, time, hidden]</c>
    /// (the default) or the last step's only <c>[batch, hidden]</c>.</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <param name="numLayers">Stacked layers (PyTorch's <c>num_layers</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the number of layers is not positive.</exception>
    public Gru(int inputs, int hidden, bool returnSequence = true, ulong? seed = null, int numLayers = 1)
    {
        _s = new RecurrentStack("Gru", inputs, hidden, 3, numLayers, seed);
        _w = _s.First;
        ReturnSequence = returnSequence;
    }

    /// <summary>Features per step.</summary>
    public int Inputs => _w.Inputs;

    /// <summary>Size of the hidden state.</summary>
    public int Hidden => _w.Hidden;

    /// <summary>Whether the output is the whole sequence of hidden states or the last one.</summary>
    public bool ReturnSequence { get; }

    /// <summary>Stacked layers; the weight properties below are layer 0's, <see cref="Layer.Parameters"/> lists all.</summary>
    public int NumLayers => _s.Count;

    /// <summary><c>weight_ih_l0 [3·hidden, inputs]</c>, row blocks r, z, n.</summary>
    public Parameter WeightIh => _w.WeightIh;

    /// <summary><c>weight_hh_l0 [3·hidden, hidden]</c>.</summary>
    public Parameter WeightHh => _w.WeightHh;

    /// <summary><c>bias_ih_l0 [3·hidden]</c>.</summary>
    public Parameter BiasIh => _w.BiasIh;

    /// <summary><c>bias_hh_l0 [3·hidden]</c>.</summary>
    public Parameter BiasHh => _w.BiasHh;

    /// <summary>Runs over <paramref name="input"/> <c>[batch, time, inputs]</c> from a zero state.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, time ≥ 1, inputs]</c>.</exception>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;

    /// <summary>
    /// Runs over <paramref name="input"/> <c>[batch, time, inputs]</c> from <paramref name="state"/> <c>[batch, hidden]</c>
    /// (<c>[layers, batch, hidden]</c> when stacked; zeros when null); returns the output (as <see cref="ReturnSequence"/>
    /// says, from the last layer) and the final state, shaped as the initial one.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, time ≥ 1, inputs]</c>, or the state has the wrong shape.</exception>
    public (Tensor Output, Tensor State) Forward(Tensor input, Tensor? state) =>
        _s.Run(ToString(), input, state, ReturnSequence, static (w, x, h) => Tensor.GruSequence(x, h, w.WeightIh, w.WeightHh, w.BiasIh, w.BiasHh));

    /// <summary><c>Gru(8 => 16)</c>, with <c>, layers: 2</c> when stacked and <c>, last</c> when only the last step is returned.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Gru({Inputs} => {Hidden}{_s.Suffix(ReturnSequence)})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => _s.Named();
}

/// <summary>
/// One step of <see cref="Gru"/> (PyTorch's <c>nn.GRUCell</c>) for an input <c>[batch, inputs]</c> and a state <c>[batch, hidden]</c>.
/// Parameters <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c> as PyTorch names them.
/// </summary>
public sealed class GruCell : Layer
{
    private readonly RecurrentWeights _w;

    /// <summary>Creates the cell with PyTorch's initialisation (uniform in ±1/√hidden).</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="hidden">Size of the hidden state.</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public GruCell(int inputs, int hidden, ulong? seed = null) => _w = new RecurrentWeights("GruCell", inputs, hidden, 3, seed);

    /// <summary>Input features.</summary>
    public int Inputs => _w.Inputs;

    /// <summary>Size of the hidden state.</summary>
    public int Hidden => _w.Hidden;

    /// <summary><c>weight_ih [3·hidden, inputs]</c>, row blocks r, z, n.</summary>
    public Parameter WeightIh => _w.WeightIh;

    /// <summary><c>weight_hh [3·hidden, hidden]</c>.</summary>
    public Parameter WeightHh => _w.WeightHh;

    /// <summary><c>bias_ih [3·hidden]</c>.</summary>
    public Parameter BiasIh => _w.BiasIh;

    /// <summary><c>bias_hh [3·hidden]</c>.</summary>
    public Parameter BiasHh => _w.BiasHh;

    /// <summary>The new hidden state for <paramref name="input"/> <c>[batch, inputs]</c> from a zero state.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, inputs]</c>.</exception>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;

    /// <summary>One step from <paramref name="state"/> (zeros when null): the output h' and the new state, the same tensor.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, inputs]</c>, or the state is not <c>[batch, hidden]</c>.</exception>
    public (Tensor Output, Tensor State) Forward(Tensor input, Tensor? state) =>
        _w.Step(ToString(), input, state, (x, h) => Tensor.GruSequence(x, h, WeightIh, WeightHh, BiasIh, BiasHh));

    /// <summary><c>GruCell(8 => 16)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"GruCell({Inputs} => {Hidden})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => _w.Named("");
}
