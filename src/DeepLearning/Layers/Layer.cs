namespace DeepLearning;

/// <summary>
/// A building block of a model: a function of a tensor with trainable <see cref="Parameter"/>s and non-trainable
/// buffers (running statistics), named in a stable order the way a PyTorch state dict names them
/// (<c>0.weight</c>, <c>0.bias</c>, <c>2.running_mean</c>).
/// </summary>
public abstract class Layer
{
    /// <summary>Applies the layer to <paramref name="input"/>.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>The trainable parameters of this layer and of its children, each with its dotted name, in a stable order.</summary>
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

    /// <summary>The non-trainable state (running statistics) of this layer and its children, with dotted names.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> NamedBuffers()
    {
        var list = new List<KeyValuePair<string, Tensor>>();
        Collect(this, "", list, static l => l.OwnBuffers());
        return list;
    }

    /// <summary>This layer's own parameters with their local names (<c>weight</c>, <c>bias</c>).</summary>
    protected virtual IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => [];

    /// <summary>This layer's own buffers with their local names (<c>running_mean</c>).</summary>
    protected virtual IEnumerable<KeyValuePair<string, Tensor>> OwnBuffers() => [];

    /// <summary>The layers inside this one with their local names (a chain names them 0, 1, …).</summary>
    protected virtual IEnumerable<KeyValuePair<string, Layer>> Children() => [];

    private static void Collect<T>(Layer layer, string prefix, List<KeyValuePair<string, T>> into, Func<Layer, IEnumerable<KeyValuePair<string, T>>> own)
    {
        foreach (var (name, value) in own(layer)) into.Add(new(prefix + name, value));
        foreach (var (name, child) in layer.Children()) Collect(child, prefix + name + ".", into, own);
    }
}
