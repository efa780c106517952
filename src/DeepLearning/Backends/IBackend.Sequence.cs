namespace DeepLearning.Backends;

// Primitives of sequence models: embedding lookup and its scatter-add, layer normalisation, and the point-wise part of
// the LSTM and GRU cells. Each is one pass over memory where a composition of element-wise maps would make many; the
// matrix products of the cells stay with Gemm.
public partial interface IBackend
{
    /// <summary>
    /// Embedding lookup: row i of <paramref name="y"/> (<paramref name="dim"/> floats) is row <c>indices[i]</c> of
    /// <paramref name="table"/> <c>[vocab, dim]</c>, for <paramref name="count"/> indices stored as floats.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is not an integer in [0, vocab): the message names the
    /// index, its position and the vocabulary size. A device backend that would have to wait for the device to check may
    /// instead give a zero row and throw at its next synchronisation or download.</exception>
    void EmbeddingLookup(DeviceBuffer table, int tableOffset, int vocab, int dim,
        DeviceBuffer indices, int indicesOffset, int count, DeviceBuffer y, int yOffset);

    /// <summary>
    /// Backward of <see cref="EmbeddingLookup"/>: <paramref name="dTable"/> <c>[vocab, dim]</c> is overwritten with the
    /// scatter-add of the rows of <paramref name="dy"/>, so an index used twice receives the sum of both rows.
    /// </summary>
    void EmbeddingBackward(DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, int count,
        DeviceBuffer dTable, int dTableOffset, int vocab, int dim);

    /// <summary>
    /// Layer normalisation of each row of <c>[rows, cols]</c>: <c>y = γ ⊙ (x − μ)·r + β</c> with the row mean μ and
    /// <c>r = 1/√(σ² + ε)</c> (biased variance). Writes μ and r per row to <paramref name="mean"/> and
    /// <paramref name="rstd"/> for the backward pass.
    /// </summary>
    void LayerNorm(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset,
        DeviceBuffer y, int yOffset, DeviceBuffer mean, int meanOffset, DeviceBuffer rstd, int rstdOffset, int rows, int cols, float epsilon);

    /// <summary>
    /// Backward of <see cref="LayerNorm"/>: with x̂ = (x − μ)·r and ĝ = dy ⊙ γ,
    /// <c>dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))</c> per row, and <c>dγ = Σ_rows dy ⊙ x̂</c>, <c>dβ = Σ_rows dy</c>
    /// (overwritten).
    /// </summary>
    void LayerNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer mean, int meanOffset,
        DeviceBuffer rstd, int rstdOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset,
        DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset, int rows, int cols);

    /// <summary>
    /// The point-wise step of an LSTM cell for <paramref name="batch"/> rows. Row b of <paramref name="gates"/> holds the
    /// pre-activations <c>[i, f, g, o]</c> (each <paramref name="hidden"/> wide, PyTorch's order), which are replaced by
    /// the activations σ(i), σ(f), tanh(g), σ(o); then <c>c = f ⊙ c_prev + i ⊙ g</c> and <c>h = o ⊙ tanh(c)</c>. Each
    /// matrix is addressed by an offset and a row stride.
    /// </summary>
    void LstmCell(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride,
        DeviceBuffer cPrev, int cPrevOffset, int cPrevStride, DeviceBuffer c, int cOffset, int cStride,
        DeviceBuffer h, int hOffset, int hStride);

    /// <summary>
    /// Backward of <see cref="LstmCell"/> from the saved activations: given <paramref name="dh"/> and the gradient
    /// <paramref name="dc"/> reaching c (both read), writes the pre-activation gradients <c>[di, df, dg, do]</c> to
    /// <paramref name="dGates"/> and the gradient of c_prev to <paramref name="dcPrev"/> (which may be <paramref name="dc"/>).
    /// </summary>
    void LstmCellBackward(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride,
        DeviceBuffer cPrev, int cPrevOffset, int cPrevStride, DeviceBuffer c, int cOffset, int cStride,
        DeviceBuffer dh, int dhOffset, int dhStride, DeviceBuffer dc, int dcOffset, int dcStride,
        DeviceBuffer dGates, int dGatesOffset, int dGatesStride, DeviceBuffer dcPrev, int dcPrevOffset, int dcPrevStride);

    /// <summary>
    /// The point-wise step of a GRU cell (PyTorch's equations) for <paramref name="batch"/> rows: from the input
    /// projection <paramref name="xp"/> <c>= x·W_ihᵀ + b_ih</c> and the hidden projection <paramref name="hp"/>
    /// <c>= h_prev·W_hhᵀ + b_hh</c>, each <c>[r, z, n]</c> blocks of <paramref name="hidden"/>:
    /// <c>r = σ(xr + hr)</c>, <c>z = σ(xz + hz)</c>, <c>n = tanh(xn + r ⊙ hn)</c>, <c>h = (1 − z) ⊙ n + z ⊙ h_prev</c>.
    /// The activations r, z, n replace the first three blocks of <paramref name="xp"/> for the backward pass.
    /// </summary>
    void GruCell(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride,
        DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer h, int hOffset, int hStride);

    /// <summary>
    /// Backward of <see cref="GruCell"/> from the saved activations in <paramref name="xp"/> and the hidden projection
    /// <paramref name="hp"/>: given <paramref name="dh"/>, writes the gradients of the input projection to
    /// <paramref name="dxp"/>, of the hidden projection to <paramref name="dhp"/> and the direct part
    /// <c>dh ⊙ z</c> of h_prev's gradient to <paramref name="dhPrev"/> (which may be <paramref name="dh"/>).
    /// </summary>
    void GruCellBackward(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride,
        DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer dh, int dhOffset, int dhStride,
        DeviceBuffer dxp, int dxpOffset, int dxpStride, DeviceBuffer dhp, int dhpOffset, int dhpStride,
        DeviceBuffer dhPrev, int dhPrevOffset, int dhPrevStride);
}
