using System.Globalization;

namespace DeepLearning;

/// <summary>
/// A lookup table of learned vectors: token id k maps to row k of <c>Weight [vocab, dim]</c> (PyTorch's
/// <c>nn.Embedding</c>, Flux's <c>Embedding</c>). Input: token ids of any shape as floats holding integers, such as
/// <c>[batch, time]</c>; output: that shape followed by <c>dim</c>.
/// </summary>
public sealed class Embedding : Layer
{
    /// <summary>Creates the table with standard normal entries (PyTorch's initialisation).</summary>
    /// <param name="vocab">Number of distinct token ids (valid ids are 0 … vocab − 1).</param>
    /// <param name="dim">Length of each vector.</param>
    /// <param name="seed">Seed of the initial table; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Embedding(int vocab, int dim, ulong? seed = null)
    {
        if (vocab <= 0) throw new ArgumentOutOfRangeException(nameof(vocab), vocab, "Embedding: the vocabulary size must be positive");
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "Embedding: the vector length must be positive");
        Vocab = vocab;
        Dim = dim;
        using var scope = TensorScope.Begin();
        Weight = new Parameter(Tensor.RandN(new Shape(vocab, dim), seed ?? Init.NextSeed()), "weight");
    }

    /// <summary>Number of distinct token ids.</summary>
    public int Vocab { get; }

    /// <summary>Length of each vector.</summary>
    public int Dim { get; }

    /// <summary>The table <c>[vocab, dim]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The vectors of the ids in <paramref name="input"/>: shape <c>input.Shape + [dim]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not an integer in [0, vocab): the message names the
    /// layer, the id, its (flat) position and the vocabulary size.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Tensor.Embedding(input, Weight, ToString());
    }

    /// <summary><c>Embedding(65 => 32)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Embedding({Vocab} => {Dim})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters()
    {
        yield return new("weight", Weight);
    }
}
