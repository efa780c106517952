using System.Collections;

namespace DeepLearning;

/// <summary>
/// Layers and plain functions applied in order (Flux's <c>Chain</c>, Keras' <c>Sequential</c>): indexable, enumerable
/// and nestable. Parameters are named by position, as a PyTorch <c>Sequential</c> names them: <c>0.weight</c>,
/// <c>2.running_mean</c>, <c>1.0.bias</c> for a nested chain; a function holds a position but no parameters.
/// </summary>
/// <example><c>new Chain(new Dense(784, 128, Relu), new Dropout(0.2f), new Dense(128, 10), Softmax)</c></example>
public sealed class Chain : Layer, IReadOnlyList<Layer>
{
    private readonly Layer[] _layers;

    /// <summary>A chain of <paramref name="layers"/>: each a <see cref="Layer"/> or a <c>Func&lt;Tensor, Tensor&gt;</c>
    /// (such as <see cref="Activations.Softmax"/>), which is wrapped in a <see cref="Lambda"/>.</summary>
    /// <exception cref="ArgumentException">An element is null or neither a layer nor a function of a tensor.</exception>
    public Chain(params object[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = new Layer[layers.Length];
        for (int i = 0; i < layers.Length; i++)
            _layers[i] = layers[i] switch
            {
                Layer l => l,
                Func<Tensor, Tensor> f => new Lambda(f),
                null => throw new ArgumentException($"Chain: element {i} is null", nameof(layers)),
                var o => throw new ArgumentException($"Chain: element {i} is a {o.GetType().Name}, expected a Layer or a Func<Tensor, Tensor>", nameof(layers)),
            };
    }

    /// <summary>
    /// A chain of the given layers, in order. A <see cref="Chain"/> passed alone is nested as one layer (as
    /// <c>nn.Sequential(inner)</c> nests), not unpacked, so its parameters are named <c>0.0.weight</c>.
    /// </summary>
    public Chain(IEnumerable<Layer> layers)
        : this(layers is Chain inner ? [inner] : [.. (layers ?? throw new ArgumentNullException(nameof(layers))).Cast<object>()])
    {
    }

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Length;

    /// <summary>The layer at <paramref name="index"/> (a function is a <see cref="Lambda"/>).</summary>
    public Layer this[int index] => _layers[index];

    /// <summary>
    /// Applies the layers in order. A layer's error is rethrown with its position prefixed,
    /// <c>Chain[1] Dense(4 => 3): input has 5 features, expected 4</c>, nested chains as <c>Chain[2][0] …</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A layer rejected its input.</exception>
    /// <exception cref="InvalidOperationException">A layer failed otherwise.</exception>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            try
            {
                x = _layers[i].Forward(x);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(Locate(i, e.Message), e);
            }
            catch (InvalidOperationException e) when (e is not ObjectDisposedException)
            {
                throw new InvalidOperationException(Locate(i, e.Message), e);
            }
        }
        return x;
    }

    /// <summary>The layers in order.</summary>
    public IEnumerator<Layer> GetEnumerator() => ((IEnumerable<Layer>)_layers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _layers.GetEnumerator();

    /// <summary><c>Chain(Dense(2 => 4, σ), Dense(4 => 3, σ))</c>.</summary>
    public override string ToString() => $"Chain({string.Join(", ", _layers.Select(l => l.ToString()))})";

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Layer>> Children()
    {
        for (int i = 0; i < _layers.Length; i++) yield return new(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _layers[i]);
    }

    internal override Tensor? AddSummaryRows(string name, Tensor? input, List<(string Name, string Layer, string Shape, int Params)> rows)
    {
        var x = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            var child = name.Length == 0 ? $"{i}" : $"{name}.{i}";
            x = x is null ? _layers[i].AddSummaryRows(child, null, rows) : Run(i, () => _layers[i].AddSummaryRows(child, x, rows));
        }
        return x;
    }

    private Tensor? Run(int i, Func<Tensor?> f)
    {
        try
        {
            return f();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(Locate(i, e.Message), e);
        }
    }

    // "Dense(4 => 3): …" becomes "Chain[1] Dense(4 => 3): …"; an inner chain's "Chain[0] …" becomes "Chain[1][0] …";
    // an error raised deeper (an op inside the layer) gets the layer's description too.
    private string Locate(int i, string message)
    {
        var layer = _layers[i];
        if (layer is Chain && message.StartsWith("Chain[", StringComparison.Ordinal)) return $"Chain[{i}]{message[5..]}";
        var described = layer.ToString();
        return message.StartsWith(described, StringComparison.Ordinal) ? $"Chain[{i}] {message}" : $"Chain[{i}] {described}: {message}";
    }
}
