namespace DeepLearning;

/// <summary>
/// A fully connected layer: <c>y = activation(x·Wᵀ + b)</c>, with <c>Weight [out, in]</c> and <c>Bias [out]</c>, the
/// layout of Flux and PyTorch (weights interchange with them).
/// </summary>
/// <example><c>new Dense(784, 128, Relu)</c> after <c>using static DeepLearning.Activations;</c></example>
public sealed class Dense : Layer
{
    /// <summary>Creates the layer with weights from <paramref name="init"/> and a zero bias.</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="activation">Applied after the affine map (default <see cref="Activations.Identity"/>).</param>
    /// <param name="bias">Whether to learn a bias.</param>
    /// <param name="init">Weight initialiser (default <see cref="Init.GlorotUniform"/>, as Flux and Keras).</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Dense(int inputs, int outputs, Func<Tensor, Tensor>? activation = null, bool bias = true, Initializer? init = null, ulong? seed = null)
    {
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "Dense: input features must be positive");
        if (outputs <= 0) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "Dense: output features must be positive");
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation ?? Activations.Identity;
        // The parameters copy their initial values; the scope releases what the initialiser made for them, and
        // leaves alone a tensor it returns that existed before (pretrained weights).
        using var scope = TensorScope.Begin();
        var w = (init ?? Init.GlorotUniform)(new Shape(outputs, inputs), seed ?? Init.NextSeed());
        if (w.Shape != new Shape(outputs, inputs))
            throw new ArgumentException($"Dense: the initialiser returned {w.Shape}, expected [{outputs}, {inputs}]", nameof(init));
        Weight = new Parameter(w, "weight");
        if (bias) Bias = new Parameter(Tensor.Zeros(new Shape(outputs)), "bias");
    }

    /// <summary>Number of input features.</summary>
    public int Inputs { get; }

    /// <summary>Number of output features.</summary>
    public int Outputs { get; }

    /// <summary>The weight <c>W [out, in]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias <c>b [out]</c>, or null for a layer built with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <summary>The activation applied after the affine map.</summary>
    public Func<Tensor, Tensor> Activation { get; }

    /// <summary>
    /// <c>activation(x·Wᵀ + b)</c> for <c>x</c> of <c>[batch, in]</c> (→ <c>[batch, out]</c>), <c>[in]</c> (→ <c>[out]</c>),
    /// or <c>[…, in]</c> (→ <c>[…, out]</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The last axis of <paramref name="input"/> is not <see cref="Inputs"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Shape[-1] != Inputs)
            throw new ArgumentException(input.Rank == 0
                ? $"{this}: input is a scalar, expected [batch, {Inputs}] or [{Inputs}]"
                : $"{this}: input has {input.Shape[-1]} features, expected {Inputs} (input shape {input.Shape})");
        var x = input.Rank == 2 ? input : input.Reshape(-1, Inputs);
        // ReLU fuses into the product's kernel; any other activation follows it.
        bool relu = ReferenceEquals(Activation, Activations.Relu);
        var y = Tensor.Linear(x, Weight, Bias, relu);
        if (input.Rank != 2) y = y.Reshape(input.Shape.WithDim(input.Rank - 1, Outputs));
        return relu ? y : Activation(y);
    }

    /// <summary><c>Dense(in => out)</c>, with the activation when it is not the identity: <c>Dense(2 => 4, σ)</c>.</summary>
    public override string ToString()
    {
        var act = Activations.NameOf(Activation);
        var extra = (act == nameof(Activations.Identity) ? "" : ", " + act) + (Bias is null ? ", bias: false" : "");
        return $"Dense({Inputs} => {Outputs}{extra})";
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => WeightAndBias(Weight, Bias);
}
