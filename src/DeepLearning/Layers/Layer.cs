namespace DeepLearning;

/// <summary>
/// A building block of a model: a function of a tensor with trainable <see cref="Parameter"/>s and non-trainable
/// buffers (running statistics), named in a stable order the way a PyTorch state dict names them
/// (<c>0.weight</c>, <c>0.bias</c>, <c>2.running_mean</c>).
/// </summary>
/// <remarks>
/// Mode: layers that behave differently in training (<see cref="Dropout"/>, <see cref="BatchNorm"/>) follow
/// <see cref="Mode"/>, which <see cref="LayerModes.TrainMode"/>, <see cref="LayerModes.TestMode"/> and
/// <see cref="LayerModes.AutoMode"/> set for a layer and
/// everything inside it. The default, <see cref="LayerMode.Auto"/>, trains exactly while a gradient is being taken
/// (<see cref="Autodiff.IsRecording"/>), as Flux does: evaluation outside a gradient call needs no switch.
/// </remarks>
public abstract partial class Layer
{
    /// <summary>Applies the layer to <paramref name="input"/>.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Whether this layer trains (<see cref="LayerMode.Train"/>), evaluates, or decides by itself (the default).</summary>
    public LayerMode Mode { get; private set; }

    /// <summary>
    /// Whether a forward pass now behaves as in training: <see cref="LayerMode.Train"/>, or <see cref="LayerMode.Auto"/>
    /// while a gradient is being recorded.
    /// </summary>
    public bool IsTraining => Mode switch
    {
        LayerMode.Train => true,
        LayerMode.Test => false,
        _ => Autodiff.IsRecording,
    };

    /// <summary>
    /// The number of trainable scalars: the sum of the lengths of <see cref="Parameters"/>, so a parameter shared by
    /// two places in the model (the same layer used twice) counts once.
    /// </summary>
    public int ParameterCount
    {
        get
        {
            int n = 0;
            foreach (var p in Parameters()) n += p.Length;
            return n;
        }
    }

    /// <summary>The architecture in one line, as Flux prints it: <c>Dense(784 => 128, Relu)</c>.</summary>
    public override string ToString() => GetType().Name;

    /// <summary>Sets the mode of this layer and of every layer inside it.</summary>
    internal void SetMode(LayerMode mode)
    {
        Mode = mode;
        foreach (var (_, child) in Children()) child.SetMode(mode);
    }

    /// <summary>
    /// The trainable parameters of this layer and of its children, each with its dotted name, in a stable order. A
    /// parameter reached twice (a layer used at two positions) is listed once, under the first name it is reached by,
    /// as PyTorch's <c>named_parameters()</c> does, so optimizers, counts and snapshots see it once.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, Parameter>> NamedParameters()
    {
        var list = new List<KeyValuePair<string, Parameter>>();
        Collect(this, "", list, static l => l.OwnParameters());
        return list;
    }

    /// <summary>The trainable parameters of this layer and its children, in the order of <see cref="NamedParameters"/>.</summary>
    public IReadOnlyList<Parameter> Parameters()
    {
        var named = NamedParameters();
        var list = new Parameter[named.Count];
        for (int i = 0; i < list.Length; i++) list[i] = named[i].Value;
        return list;
    }

    /// <summary>
    /// The non-trainable state (running statistics) of this layer and its children, with dotted names; like
    /// <see cref="NamedParameters"/>, a buffer reached twice is listed once, under its first name.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> NamedBuffers()
    {
        var list = new List<KeyValuePair<string, Tensor>>();
        Collect(this, "", list, static l => l.OwnBuffers());
        return list;
    }

    /// <summary>This layer and every layer inside it, each with its dotted path (this one's is empty), parents first.</summary>
    internal IReadOnlyList<KeyValuePair<string, Layer>> NamedLayers()
    {
        var list = new List<KeyValuePair<string, Layer>>();
        void Walk(Layer layer, string path)
        {
            list.Add(new(path, layer));
            foreach (var (name, child) in layer.Children()) Walk(child, path.Length == 0 ? name : path + "." + name);
        }
        Walk(this, "");
        return list;
    }

    /// <summary>This layer's own parameters with their local names (<c>weight</c>, <c>bias</c>).</summary>
    protected virtual IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => [];

    /// <summary>The <c>weight</c> and, unless absent, the <c>bias</c> of a layer that has those two (Dense, the convolutions).</summary>
    internal static IEnumerable<KeyValuePair<string, Parameter>> WeightAndBias(Parameter weight, Parameter? bias)
    {
        yield return new("weight", weight);
        if (bias is not null) yield return new("bias", bias);
    }

    /// <summary>This layer's own buffers with their local names (<c>running_mean</c>).</summary>
    protected virtual IEnumerable<KeyValuePair<string, Tensor>> OwnBuffers() => [];

    /// <summary>The layers inside this one with their local names (a chain names them 0, 1, …).</summary>
    protected virtual IEnumerable<KeyValuePair<string, Layer>> Children() => [];

    private static void Collect<T>(Layer layer, string prefix, List<KeyValuePair<string, T>> into, Func<Layer, IEnumerable<KeyValuePair<string, T>>> own)
        where T : class =>
        Collect(layer, prefix, into, own, new HashSet<T>(ReferenceEqualityComparer.Instance));

    private static void Collect<T>(Layer layer, string prefix, List<KeyValuePair<string, T>> into, Func<Layer, IEnumerable<KeyValuePair<string, T>>> own, HashSet<T> seen)
        where T : class
    {
        foreach (var (name, value) in own(layer))
            if (seen.Add(value)) into.Add(new(prefix + name, value));
        foreach (var (name, child) in layer.Children()) Collect(child, prefix + name + ".", into, own, seen);
    }
}
