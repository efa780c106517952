namespace DeepLearning.Backends;

/// <summary>
/// The primitive set every device implements. Buffers are addressed as (buffer, element offset) pairs; tensors are
/// row-major and contiguous, so layouts are described by a few integers rather than by strides, except for the
/// broadcasting binary map. Implementations are tested against <see cref="Cpu.CpuBackend"/>, the reference.
/// </summary>
/// <remarks>
/// <para>Every kernel writes every element of its output, so buffers from <see cref="Allocate"/> need not be cleared.
/// Output buffers may be the same as an input buffer at the same offset (in-place) for the element-wise maps.</para>
/// <para>Threads and streams: a backend may be called from any thread, but the library calls it for one tensor from one
/// thread at a time (a training loop runs on one thread). A device that queues work (a GPU) runs it in call order on one
/// stream per device, so a kernel sees the results of the calls before it; <see cref="Download"/> waits for them, and
/// <see cref="Synchronize"/> waits for everything. A released buffer returns to the backend's pool and may serve the
/// next <see cref="Allocate"/> at once: the backend must make sure queued work still reading or writing it is ordered
/// before any new use (on one stream this holds by itself). A backend may release buffers of tensors the GC collected
/// without disposal (a finalizer that only queues the buffer, freed later on the backend's own thread), so device
/// memory is not held forever; the CPU backend leaves such arrays to the GC.</para>
/// <para>No member may move data through the host except <see cref="Upload"/> and <see cref="Download"/>.</para>
/// </remarks>
public partial interface IBackend
{
    /// <summary>A short name for messages, such as <c>cpu</c> or <c>cuda:0</c>.</summary>
    string Name { get; }

    /// <summary>Number of buffers allocated and not yet released (for leak tests).</summary>
    long LiveBuffers { get; }

    /// <summary>Allocates an uninitialised buffer of <paramref name="length"/> floats.</summary>
    DeviceBuffer Allocate(int length);

    /// <summary>Copies host memory into <paramref name="dst"/> at <paramref name="dstOffset"/>.</summary>
    void Upload(ReadOnlySpan<float> src, DeviceBuffer dst, int dstOffset);

    /// <summary>Copies <c>dst.Length</c> elements of <paramref name="src"/> from <paramref name="srcOffset"/> to host memory.</summary>
    void Download(DeviceBuffer src, int srcOffset, Span<float> dst);

    /// <summary>Sets <paramref name="length"/> elements to <paramref name="value"/>.</summary>
    void Fill(DeviceBuffer dst, int offset, int length, float value);

    /// <summary>
    /// Copies <paramref name="count"/> blocks of <paramref name="blockLength"/> elements; block i starts at
    /// <c>srcOffset + i·srcStride</c> and lands at <c>dstOffset + i·dstStride</c>. Slicing and concatenation along
    /// any axis are this copy.
    /// </summary>
    void CopyBlocks(DeviceBuffer src, int srcOffset, int srcStride, DeviceBuffer dst, int dstOffset, int dstStride, int blockLength, int count);

    /// <summary>
    /// Gathers a strided view of <paramref name="x"/> into contiguous <paramref name="y"/> of <paramref name="shape"/>:
    /// output element i reads <c>x[xOffset + Σ i_d·xStrides[d]]</c>. A transpose permutes the strides; broadcasting
    /// to a larger shape uses stride 0.
    /// </summary>
    void CopyStrided(DeviceBuffer x, int xOffset, ReadOnlySpan<int> xStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape);

    /// <summary><c>y[i] = f(x[i], α)</c> for <paramref name="length"/> elements.</summary>
    void Unary(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length);

    /// <summary>
    /// The fused backward of a unary map: <c>dx[i] = dy[i] · f′(x[i])</c>, where the derivative may be computed from
    /// the input <paramref name="x"/> or the forward output <paramref name="y"/>, whichever is cheaper and stable.
    /// </summary>
    void UnaryBackward(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int length);

    /// <summary>
    /// <c>y = f(a, b)</c> over <paramref name="shape"/> with NumPy broadcasting: the element at index <c>i</c> of
    /// the output reads <c>a[aOffset + Σ i_d·aStrides[d]]</c>, a broadcast axis having stride 0. <paramref name="y"/> is contiguous.
    /// </summary>
    void Binary(BinaryOp op, DeviceBuffer a, int aOffset, ReadOnlySpan<int> aStrides, DeviceBuffer b, int bOffset, ReadOnlySpan<int> bStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape);

    /// <summary>Reduces the middle axis of <paramref name="x"/> viewed as <c>[outer, axis, inner]</c> into <paramref name="y"/> of <c>[outer, inner]</c>.</summary>
    void Reduce(ReduceOp op, DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset);

    /// <summary>Index (stored as float, exact below 2²⁴) of the first maximum along the middle axis of <c>[outer, axis, inner]</c>.</summary>
    void ArgMax(DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset);

    /// <summary>
    /// Row-major batched GEMM: for each of <paramref name="batch"/> matrices,
    /// <c>C = α·op(A)·op(B) + β·C</c>, op(A) of <c>[m, k]</c>, op(B) of <c>[k, n]</c>, C of <c>[m, n]</c>; op transposes
    /// when its flag is set. <c>lda</c>, <c>ldb</c>, <c>ldc</c> are row strides of the stored matrices; batch i is
    /// offset by i times the batch stride. When β is 0, C is not read (garbage in C does not leak through).
    /// </summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        DeviceBuffer a, int aOffset, int lda, long strideA,
        DeviceBuffer b, int bOffset, int ldb, long strideB,
        float beta, DeviceBuffer c, int cOffset, int ldc, long strideC, int batch);

    /// <summary>
    /// The forward of a dense layer as one kernel: <c>C = f(op(A)·op(B) + bias)</c> for one matrix product, the bias
    /// (one value per column of C, or null) added and the activation f applied while each tile of C is still in cache,
    /// instead of in two more passes over C. C is contiguous (<c>ldc = n</c>). The default composes
    /// <see cref="Gemm"/>, <see cref="Binary"/> and <see cref="Unary"/>, so a backend may leave it out.
    /// </summary>
    void GemmBiasActivation(bool transA, bool transB, int m, int n, int k,
        DeviceBuffer a, int aOffset, int lda, DeviceBuffer b, int bOffset, int ldb,
        DeviceBuffer? bias, int biasOffset, UnaryOp activation, float alpha, DeviceBuffer c, int cOffset)
    {
        Gemm(transA, transB, m, n, k, 1f, a, aOffset, lda, 0, b, bOffset, ldb, 0, 0f, c, cOffset, n, 0, 1);
        if (bias is not null) Binary(BinaryOp.Add, c, cOffset, [n, 1], bias, biasOffset, [0, 1], c, cOffset, [m, n]);
        if (activation != UnaryOp.Identity) Unary(activation, alpha, c, cOffset, c, cOffset, m * n);
    }

    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch) of <paramref name="x"/> <c>[N, C, H, W]</c> with
    /// <paramref name="w"/> <c>[O, C/groups, kh, kw]</c> into <paramref name="y"/> <c>[N, O, OH, OW]</c>, plus
    /// <paramref name="bias"/> <c>[O]</c> (or null) per output channel, then ReLU when <paramref name="relu"/>:
    /// <c>y[n,o,p,q] = f(b[o] + Σ_{c,i,j} w[o,c,i,j] · x[n, g·C/groups + c, p·sh − pt + i·dh, q·sw − pl + j·dw])</c>,
    /// zero outside the input. See <see cref="ConvGeometry"/> for the sizes.
    /// </summary>
    void Conv2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset,
        DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset);

    /// <summary>
    /// The gradients of <see cref="Conv2D"/> without activation from <paramref name="dy"/> <c>[N, O, OH, OW]</c>: writes
    /// (does not accumulate) <c>dx [N, C, H, W]</c> (the transposed convolution of dy), <c>dw [O, C/groups, kh, kw]</c>
    /// (summed over the batch) and <c>dbias [O]</c>; a null output is skipped. The transposed convolution
    /// (ConvTranspose2D) is the dx part, with its input as dy.
    /// </summary>
    void Conv2DBackward(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer dy, int dyOffset,
        DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset);

    /// <summary>
    /// Max pooling of each plane of <paramref name="x"/> <c>[N, C, H, W]</c> over windows of <paramref name="g"/> (padding
    /// never wins) into <paramref name="y"/> <c>[N, C, OH, OW]</c>; <paramref name="indices"/> (same shape as y) receives
    /// the flat index <c>row·W + column</c> within its plane of each maximum, the first in row-major window order on a
    /// tie, a NaN winning over numbers (PyTorch's rule).
    /// </summary>
    void MaxPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer indices, int indicesOffset);

    /// <summary>Backward of <see cref="MaxPool2D"/>: <c>dx</c> is cleared, then each <c>dy</c> element is added at its recorded index.</summary>
    void MaxPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, DeviceBuffer dx, int dxOffset);

    /// <summary>Average pooling per plane: the window sum (padding counting as zeros) divided by <c>kh·kw</c> (PyTorch's <c>count_include_pad</c>).</summary>
    void AvgPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset);

    /// <summary>Backward of <see cref="AvgPool2D"/>: each <c>dy</c> element spread as <c>dy/(kh·kw)</c> over its window's inputs; dx is written, not accumulated.</summary>
    void AvgPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset);

    /// <summary>Softmax (or log-softmax when <paramref name="log"/>) of each row of <c>[rows, cols]</c>, computed stably by subtracting the row maximum.</summary>
    void Softmax(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int rows, int cols, bool log);

    /// <summary>
    /// Backward of <see cref="Softmax"/> from its output <paramref name="y"/>: <c>dx = y ⊙ (dy − Σ dy⊙y)</c>, or for
    /// log-softmax <c>dx = dy − eʸ · Σ dy</c>, sums per row.
    /// </summary>
    void SoftmaxBackward(DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int rows, int cols, bool log);

    /// <summary>
    /// Fills with uniform numbers in [<paramref name="low"/>, <paramref name="high"/>) from a counter-based generator:
    /// element i depends only on (<paramref name="seed"/>, <paramref name="counter"/> + i), so the result is the same on
    /// every device and for every thread count.
    /// </summary>
    void RandomUniform(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float low, float high);

    /// <summary>Fills with normal numbers of the given mean and standard deviation; counter-based like <see cref="RandomUniform"/>.</summary>
    void RandomNormal(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float mean, float std);

    /// <summary>
    /// One fused optimizer update of <paramref name="length"/> elements (see <see cref="OptimizerOp"/> for each
    /// formula): computes the step <c>δ</c> from the parameter and gradient, updating the state buffers (<c>m</c>,
    /// <c>v</c>; null when the op has none) in place, then writes <c>δ</c> to <paramref name="target"/> or, when
    /// <paramref name="subtract"/>, subtracts it (<c>target −= δ</c>). The target may be the parameter's or the
    /// gradient's memory at the same offset.
    /// </summary>
    void OptimizerStep(OptimizerOp op, in OptimizerHyperParameters hyper, DeviceBuffer param, int paramOffset,
        DeviceBuffer grad, int gradOffset, DeviceBuffer? state1, int state1Offset, DeviceBuffer? state2, int state2Offset,
        DeviceBuffer target, int targetOffset, bool subtract, int length);

    /// <summary>
    /// Blocks until all work this device has queued is done (a GPU's stream). Calls return when their work is queued,
    /// not done, on a device that queues; <see cref="Download"/> waits for the work it reads.
    /// </summary>
    void Synchronize();

    /// <summary>
    /// Gathers rows by index in one call: row i of <paramref name="y"/> (<paramref name="rowLength"/> elements from
    /// <c>yOffset + i·rowLength</c>) is row <c>rows[i]</c> of <paramref name="x"/>. The indices are host memory, checked
    /// by the caller to lie inside x; a device backend carries them over with the call.
    /// </summary>
    void GatherRows(DeviceBuffer x, int xOffset, int rowLength, ReadOnlySpan<int> rows, DeviceBuffer y, int yOffset);

    /// <summary><c>y[i] += x[i]</c> for <paramref name="length"/> elements: the tape adds a gradient into an accumulated one without a new buffer.</summary>
    void AddInPlace(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length);

    /// <summary>
    /// Inverted dropout in one kernel: <c>y[i] = x[i] / (1 − p)</c> where <c>u_i ≥ p</c>, else 0, with <c>u_i</c> element
    /// <c>counter + i</c> of the uniform stream of <see cref="RandomUniform"/> for <paramref name="seed"/>. The mask is a
    /// function of (seed, counter) alone, so the same call on the output gradient is the backward. In place allowed.
    /// </summary>
    void Dropout(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length, float p, ulong seed, ulong counter);

    /// <summary>
    /// Batch-norm statistics of <paramref name="x"/> viewed as <c>[n, c, s]</c>: per channel the mean and the biased
    /// variance over its <c>m = n·s</c> values, written to <paramref name="mean"/> and <paramref name="variance"/>
    /// (<c>[c]</c> each). When running statistics are given they are updated in place:
    /// <c>running_mean ← (1 − momentum)·running_mean + momentum·mean</c>, <c>running_var</c> likewise with the unbiased
    /// variance <c>variance·m/(m − 1)</c>.
    /// </summary>
    void BatchNormStatistics(DeviceBuffer x, int xOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset,
        DeviceBuffer variance, int varianceOffset, DeviceBuffer? runningMean, int runningMeanOffset,
        DeviceBuffer? runningVar, int runningVarOffset, float momentum);

    /// <summary>
    /// Batch normalisation of <c>x [n, c, s]</c> with given per-channel statistics:
    /// <c>y = γ_c·(x − mean_c)/√(variance_c + ε) + β_c</c>.
    /// </summary>
    void BatchNormForward(DeviceBuffer x, int xOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset,
        DeviceBuffer variance, int varianceOffset, float epsilon, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset,
        DeviceBuffer y, int yOffset);

    /// <summary>
    /// The backward of training-mode <see cref="BatchNormForward"/> (the statistics those of the batch), from the
    /// output gradient <c>dy</c>: with <c>x̂ = (x − mean)/σ</c>, <c>σ = √(variance + ε)</c> and sums over a channel's m
    /// values, <c>dβ = Σ dy</c>, <c>dγ = Σ dy·x̂</c>, <c>dx = γ/σ · (dy − dβ/m − x̂·dγ/m)</c>. Writes <paramref name="dx"/>
    /// (<c>[n, c, s]</c>), <paramref name="dGamma"/> and <paramref name="dBeta"/> (<c>[c]</c>).
    /// </summary>
    void BatchNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer dy, int dyOffset, int n, int c, int s,
        DeviceBuffer mean, int meanOffset, DeviceBuffer variance, int varianceOffset, float epsilon, DeviceBuffer gamma, int gammaOffset,
        DeviceBuffer dx, int dxOffset, DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset);

    /// <summary>Bytes of device memory held by live buffers.</summary>
    long BytesInUse { get; }

    /// <summary>Bytes of device memory the backend holds: in use plus cached for reuse.</summary>
    long BytesReserved { get; }

    /// <summary>Returns cached, unused memory to the system (or the driver); live buffers are untouched.</summary>
    void TrimCache();
}
