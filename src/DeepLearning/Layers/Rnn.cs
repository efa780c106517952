using System.Globalization;

namespace DeepLearning;

/// <summary>
/// An Elman recurrent layer over a batch-first sequence <c>[batch, time, inputs]</c> (PyTorch's
/// <c>nn.RNN(batch_first=True)</c>, Flux 0.15's <c>RNN</c>, Keras' <c>SimpleRNN</c>): per step
/// <c>h' = f(W_ih x + b_ih + W_hh h + b_hh)</c> with f tanh (the default) or ReLU (PyTorch's <c>nonlinearity</c>). Parameters <c>weight_ih_l0 [H, I]</c>, <c>weight_hh_l0 [H, H]</c>,
/// <c>bias_ih_l0</c>, <c>bias_hh_l0 [H]</c>, so weights interchange with PyTorch.
/// </summary>
/// <remarks>
/// No state is kept between calls: <see cref="Forward(Tensor)"/> starts from zeros, and
/// <see cref="Forward(Tensor, Tensor?)"/> takes the initial state <c>[batch, hidden]</c> and returns the final one.
/// With <c>numLayers</c> > 1 the layers are stacked as PyTorch's <c>num_layers</c> (parameters <c>weight_ih_l1</c> …, no
/// dropout between them) and the states are <c>[layers, batch, hidden]</c>.
/// </remarks>
public sealed class Rnn : Layer
{
    private readonly RecurrentStack _s;
    private readonly RecurrentWeights _w;

    /// <summary>Creates the layer with PyTorch's initialisation (uniform in ±1/√hidden).</summary>
    /// <param name="inputs">Features per step.</param>
    /// <param name="hidden">Size of the hidden state.</param>
    /// <param name="returnSequence">Whether <see cref="Forward(Tensor)"/> returns every step's h <c>[batch, time, hidden]</c>
    /// (the default) or the last step's only <c>[batch, hidden]</c>.</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <param name="activation"><see cref="Activations.Tanh"/> (when null) or <see cref="Activations.Relu"/>.</param>
    /// <param name="numLayers">Stacked layers (PyTorch's <c>num_layers</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the number of layers is not positive.</exception>
    /// <exception cref="ArgumentException">The activation is neither tanh nor ReLU.</exception>
    public Rnn(int inputs, int hidden, bool returnSequence = true, ulong? seed = null, Func<Tensor, Tensor>? activation = null, int numLayers = 1)
    {
        _s = new RecurrentStack("Rnn", inputs, hidden, 1, numLayers, seed);
        _w = _s.First;
        ReturnSequence = returnSequence;
        Activation = RnnActivation.Check("Rnn", activation);
    }

    /// <summary>The non-linearity: <see cref="Activations.Tanh"/> or <see cref="Activations.Relu"/>.</summary>
    public Func<Tensor, Tensor> Activation { get; }

    /// <summary>Features per step.</summary>
    public int Inputs => _w.Inputs;

    /// <summary>Size of the hidden state.</summary>
    public int Hidden => _w.Hidden;

    /// <summary>Whether the output is the whole sequence of hidden states or the last one.</summary>
    public bool ReturnSequence { get; }

    /// <summary>Stacked layers; the weight properties below are layer 0's, <see cref="Layer.Parameters"/> lists all.</summary>
    public int NumLayers => _s.Count;

    /// <summary><c>weight_ih_l0 [1·hidden, inputs]</c>.</summary>
    public Parameter WeightIh => _w.WeightIh;

    /// <summary><c>weight_hh_l0 [1·hidden, hidden]</c>.</summary>
    public Parameter WeightHh => _w.WeightHh;

    /// <summary><c>bias_ih_l0 [1·hidden]</c>.</summary>
    public Parameter BiasIh => _w.BiasIh;

    /// <summary><c>bias_hh_l0 [1·hidden]</c>.</summary>
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
    public (Tensor Output, Tensor State) Forward(Tensor input, Tensor? state)
    {
        bool relu = RnnActivation.IsRelu(Activation);
        return _s.Run(ToString(), input, state, ReturnSequence, (w, x, h) => Tensor.RnnSequence(x, h, w.WeightIh, w.WeightHh, w.BiasIh + w.BiasHh, relu));
    }

    /// <summary><c>Rnn(8 => 16)</c>, with <c>, Relu</c> for ReLU, <c>, layers: 2</c> when stacked and <c>, last</c> when only the last step is returned.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Rnn({Inputs} => {Hidden}{RnnActivation.Suffix(Activation)}{_s.Suffix(ReturnSequence)})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => _s.Named();
}

/// <summary>
/// One step of <see cref="Rnn"/> (PyTorch's <c>nn.RNNCell</c>, tanh or ReLU) for an input <c>[batch, inputs]</c> and a state <c>[batch, hidden]</c>.
/// Parameters <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c> as PyTorch names them.
/// </summary>
public sealed class RnnCell : Layer
{
    private readonly RecurrentWeights _w;

    /// <summary>Creates the cell with PyTorch's initialisation (uniform in ±1/√hidden).</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="hidden">Size of the hidden state.</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <param name="activation"><see cref="Activations.Tanh"/> (when null) or <see cref="Activations.Relu"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">The activation is neither tanh nor ReLU.</exception>
    public RnnCell(int inputs, int hidden, ulong? seed = null, Func<Tensor, Tensor>? activation = null)
    {
        _w = new RecurrentWeights("RnnCell", inputs, hidden, 1, seed);
        Activation = RnnActivation.Check("RnnCell", activation);
    }

    /// <summary>The non-linearity: <see cref="Activations.Tanh"/> or <see cref="Activations.Relu"/>.</summary>
    public Func<Tensor, Tensor> Activation { get; }

    /// <summary>Input features.</summary>
    public int Inputs => _w.Inputs;

    /// <summary>Size of the hidden state.</summary>
    public int Hidden => _w.Hidden;

    /// <summary><c>weight_ih [1·hidden, inputs]</c>.</summary>
    public Parameter WeightIh => _w.WeightIh;

    /// <summary><c>weight_hh [1·hidden, hidden]</c>.</summary>
    public Parameter WeightHh => _w.WeightHh;

    /// <summary><c>bias_ih [1·hidden]</c>.</summary>
    public Parameter BiasIh => _w.BiasIh;

    /// <summary><c>bias_hh [1·hidden]</c>.</summary>
    public Parameter BiasHh => _w.BiasHh;

    /// <summary>The new hidden state for <paramref name="input"/> <c>[batch, inputs]</c> from a zero state.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, inputs]</c>.</exception>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;

    /// <summary>One step from <paramref name="state"/> (zeros when null): the output h' and the new state, the same tensor.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, inputs]</c>, or the state is not <c>[batch, hidden]</c>.</exception>
    public (Tensor Output, Tensor State) Forward(Tensor input, Tensor? state)
    {
        bool relu = RnnActivation.IsRelu(Activation);
        return _w.Step(ToString(), input, state, (x, h) => Tensor.RnnSequence(x, h, WeightIh, WeightHh, BiasIh + BiasHh, relu));
    }

    /// <summary><c>RnnCell(8 => 16)</c>, with <c>, Relu</c> for ReLU.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RnnCell({Inputs} => {Hidden}{RnnActivation.Suffix(Activation)})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => _w.Named("");
}

/// <summary>The two non-linearities PyTorch's RNN offers, as <see cref="Activations"/> entries.</summary>
internal static class RnnActivation
{
    public static Func<Tensor, Tensor> Check(string layer, Func<Tensor, Tensor>? activation)
    {
        activation ??= Activations.Tanh;
        if (!ReferenceEquals(activation, Activations.Tanh) && !ReferenceEquals(activation, Activations.Relu))
            throw new ArgumentException(
                $"{layer}: the activation must be Activations.Tanh or Activations.Relu (PyTorch's nonlinearity), got {Activations.NameOf(activation)}",
                nameof(activation));
        return activation;
    }

    public static bool IsRelu(Func<Tensor, Tensor> activation) => ReferenceEquals(activation, Activations.Relu);

    public static string Suffix(Func<Tensor, Tensor> activation) => IsRelu(activation) ? ", Relu" : "";
}
