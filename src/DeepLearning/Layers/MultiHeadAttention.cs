using System.Globalization;

namespace DeepLearning;

/// <summary>
/// Multi-head scaled dot-product attention with PyTorch's parameter layout (<c>nn.MultiheadAttention(dim, heads,
/// batch_first=True)</c>): <c>in_proj_weight [3·dim, dim]</c> and <c>in_proj_bias [3·dim]</c> hold the query, key and
/// value projections stacked; <c>out_proj.weight [dim, dim]</c>, <c>out_proj.bias [dim]</c> the output projection. Per
/// head of size d = dim / heads: <c>softmax(Q·Kᵀ/√d, masked)·V</c>; the heads are concatenated and projected.
/// </summary>
public sealed class MultiHeadAttention : Layer
{
    /// <summary>Creates the layer: projections Glorot-uniform (as PyTorch's <c>xavier_uniform_</c>), biases zero.</summary>
    /// <param name="dim">Model dimension (features of query, key and value).</param>
    /// <param name="heads">Number of heads; must divide <paramref name="dim"/>.</param>
    /// <param name="causal">Whether <see cref="Forward(Tensor)"/> lets each position attend only to itself and earlier ones.</param>
    /// <param name="seed">Seed of the weights; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or heads does not divide dim.</exception>
    public MultiHeadAttention(int dim, int heads, bool causal = false, ulong? seed = null)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "MultiHeadAttention: dim must be positive");
        if (heads <= 0 || dim % heads != 0)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"MultiHeadAttention: heads must be positive and divide dim {dim}");
        Dim = dim;
        Heads = heads;
        Causal = causal;
        ulong s = seed ?? Init.NextSeed();
        using var scope = TensorScope.Begin();
        InProjWeight = new Parameter(Init.GlorotUniform(new Shape(3 * dim, dim), s), "in_proj_weight");
        InProjBias = new Parameter(Tensor.Zeros(new Shape(3 * dim)), "in_proj_bias");
        OutProj = new Dense(dim, dim, seed: s + 1);
        OutProj.Bias!.Assign(Tensor.Zeros(new Shape(dim)));
    }

    /// <summary>Model dimension.</summary>
    public int Dim { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>Whether self-attention through <see cref="Forward(Tensor)"/> is causal.</summary>
    public bool Causal { get; }

    /// <summary><c>in_proj_weight [3·dim, dim]</c>: rows 0 … dim − 1 project queries, then keys, then values.</summary>
    public Parameter InProjWeight { get; }

    /// <summary><c>in_proj_bias [3·dim]</c>.</summary>
    public Parameter InProjBias { get; }

    /// <summary>The output projection <c>out_proj</c> (<c>weight [dim, dim]</c>, <c>bias [dim]</c>).</summary>
    public Dense OutProj { get; }

    /// <summary>Self-attention over <paramref name="input"/> <c>[batch, time, dim]</c>, causal when <see cref="Causal"/>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, time ≥ 1, dim]</c>.</exception>
    public override Tensor Forward(Tensor input) => Forward(input, input, input, Causal ? CausalFor(input) : null);

    /// <summary>
    /// Attention of <paramref name="query"/> <c>[batch, T, dim]</c> over <paramref name="key"/> and <paramref name="value"/>
    /// <c>[batch, S, dim]</c>; <paramref name="mask"/> (nonzero = may attend) is <c>[T, S]</c> or <c>[batch, T, S]</c>,
    /// or null for none. Returns <c>[batch, T, dim]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A shape does not fit, naming the layer and the shapes.</exception>
    public Tensor Forward(Tensor query, Tensor key, Tensor value, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Check("query", query);
        Check("key", key);
        Check("value", value);
        int batch = query.Shape[0], t = query.Shape[1], s = key.Shape[1];
        if (key.Shape[0] != batch || value.Shape[0] != batch || value.Shape[1] != s)
            throw new ArgumentException($"{this}: query {query.Shape}, key {key.Shape} and value {value.Shape} must share the batch, and key and value the length");
        if (mask is not null && !(mask.Shape == new Shape(t, s) || mask.Shape == new Shape(batch, t, s)))
            throw new ArgumentException($"{this}: mask {mask.Shape} must be [{t},{s}] or [{batch},{t},{s}] for query {query.Shape} and key {key.Shape}", nameof(mask));
        int d = Dim / Heads;
        // [batch, len, dim] → [batch, heads, len, d] after the projection rows of block `part`.
        Tensor Project(Tensor x, int part)
        {
            var w = InProjWeight.Slice(part * Dim, Dim);
            var b = InProjBias.Slice(part * Dim, Dim);
            int len = x.Shape[1];
            return Tensor.Linear(x.Reshape(-1, Dim), w, b).Reshape(batch, len, Heads, d).Permute(0, 2, 1, 3);
        }
        var q = Project(query, 0);
        var k = Project(key, 1);
        var v = Project(value, 2);
        var scores = Tensor.BatchedMatMul(q, k, transposeA: false, transposeB: true, 1f / MathF.Sqrt(d));
        var weights = mask is null ? scores.Softmax()
            : Tensor.MaskedSoftmax(scores, mask.Rank == 3 ? mask.Reshape(batch, 1, t, s) : mask);
        var heads = Tensor.BatchedMatMul(weights, v).Permute(0, 2, 1, 3).Reshape(batch, t, Dim);
        return OutProj.Forward(heads);
    }

    private Tensor CausalFor(Tensor input)
    {
        Check("input", input);
        return Tensor.CausalMask(input.Shape[1], input.Device);
    }

    private void Check(string name, Tensor x)
    {
        if (x.Rank != 3 || x.Shape[2] != Dim)
            throw new ArgumentException($"{this}: {name} {x.Shape} must be [batch, length, {Dim}]", name);
        if (x.Shape[1] == 0) throw new ArgumentException($"{this}: {name} {x.Shape} is an empty sequence", name);
    }

    /// <summary><c>MultiHeadAttention(128, heads: 4)</c>, with <c>, causal</c> when causal.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"MultiHeadAttention({Dim}, heads: {Heads}{(Causal ? ", causal" : "")})");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters()
    {
        yield return new("in_proj_weight", InProjWeight);
        yield return new("in_proj_bias", InProjBias);
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Layer>> Children()
    {
        yield return new("out_proj", OutProj);
    }
}
