using System.Globalization;

namespace DeepLearning;

/// <summary>
/// A pre-norm transformer encoder block (PyTorch's <c>nn.TransformerEncoderLayer(dim, heads, ff, dropout=0,
/// batch_first=True, norm_first=True)</c> with ReLU, and its parameter names): <c>x + SelfAttention(LayerNorm(x))</c>,
/// then <c>x + Linear2(Relu(Linear1(LayerNorm(x))))</c>, over <c>[batch, time, dim]</c>.
/// </summary>
public sealed class TransformerBlock : Layer
{
    /// <summary>Creates the block.</summary>
    /// <param name="dim">Model dimension.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="dim"/>.</param>
    /// <param name="feedForward">Hidden size of the feed-forward part (often 4·dim).</param>
    /// <param name="causal">Whether attention is causal (a decoder-only language model).</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or heads does not divide dim.</exception>
    public TransformerBlock(int dim, int heads, int feedForward, bool causal = false, ulong? seed = null)
    {
        ulong s = seed ?? Init.NextSeed();
        SelfAttention = new MultiHeadAttention(dim, heads, causal, s);
        Linear1 = new Dense(dim, feedForward, Activations.Relu, seed: s + 10);
        Linear2 = new Dense(feedForward, dim, seed: s + 11);
        Norm1 = new LayerNorm(dim);
        Norm2 = new LayerNorm(dim);
    }

    /// <summary>The attention (<c>self_attn</c>).</summary>
    public MultiHeadAttention SelfAttention { get; }

    /// <summary>The first feed-forward layer with ReLU (<c>linear1</c>).</summary>
    public Dense Linear1 { get; }

    /// <summary>The second feed-forward layer (<c>linear2</c>).</summary>
    public Dense Linear2 { get; }

    /// <summary>The norm before attention (<c>norm1</c>).</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The norm before the feed-forward part (<c>norm2</c>).</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>Applies the block to <paramref name="input"/> <c>[batch, time, dim]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, time ≥ 1, dim]</c>.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input + SelfAttention.Forward(Norm1.Forward(input));
        return x + Linear2.Forward(Linear1.Forward(Norm2.Forward(x)));
    }

    /// <summary><c>TransformerBlock(128, heads: 4, ff: 512)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"TransformerBlock({SelfAttention.Dim}, heads: {SelfAttention.Heads}, ff: {Linear1.Outputs}{(SelfAttention.Causal ? ", causal" : "")})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Layer>> Children()
    {
        yield return new("self_attn", SelfAttention);
        yield return new("linear1", Linear1);
        yield return new("linear2", Linear2);
        yield return new("norm1", Norm1);
        yield return new("norm2", Norm2);
    }
}
