using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Tests;

/// <summary>
/// A stand-in for a device whose memory is not host memory (a GPU): the CPU kernels behind buffers of another type,
/// counting every device-to-host read, so a test can see that code skips host-only work and adds no read of its own.
/// </summary>
internal sealed class RemoteBackend : IBackend
{
    private static readonly CpuBackend C = CpuBackend.Instance;

    private long _downloads;

    /// <summary>A new device of its own (each test counts its own reads).</summary>
    public static (Device Device, RemoteBackend Backend) Create()
    {
        var b = new RemoteBackend();
        return (new Device(b), b);
    }

    /// <summary>Number of <see cref="Download"/> calls so far.</summary>
    public long Downloads => Interlocked.Read(ref _downloads);

    private sealed class Remote(RemoteBackend backend, DeviceBuffer inner) : DeviceBuffer(inner.Length)
    {
        public DeviceBuffer Inner { get; } = inner;
        public override IBackend Backend => backend;
        protected override void Free() => Inner.Release();
    }

    private static DeviceBuffer U(DeviceBuffer b) => ((Remote)b).Inner;

    private static DeviceBuffer? U0(DeviceBuffer? b) => b is null ? null : U(b);

    public string Name => "remote";
    public long LiveBuffers => C.LiveBuffers;
    public DeviceBuffer Allocate(int length) => new Remote(this, C.Allocate(length));
    public void Upload(ReadOnlySpan<float> src, DeviceBuffer dst, int dstOffset) => C.Upload(src, U(dst), dstOffset);
    public void Download(DeviceBuffer src, int srcOffset, Span<float> dst)
    {
        Interlocked.Increment(ref _downloads);
        C.Download(U(src), srcOffset, dst);
    }
    public void Fill(DeviceBuffer dst, int offset, int length, float value) => C.Fill(U(dst), offset, length, value);
    public void CopyBlocks(DeviceBuffer src, int srcOffset, int srcStride, DeviceBuffer dst, int dstOffset, int dstStride, int blockLength, int count) =>
        C.CopyBlocks(U(src), srcOffset, srcStride, U(dst), dstOffset, dstStride, blockLength, count);
    public void CopyStrided(DeviceBuffer x, int xOffset, ReadOnlySpan<int> xStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape) =>
        C.CopyStrided(U(x), xOffset, xStrides, U(y), yOffset, shape);
    public void Unary(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length) =>
        C.Unary(op, alpha, U(x), xOffset, U(y), yOffset, length);
    public void UnaryBackward(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int length) =>
        C.UnaryBackward(op, alpha, U(x), xOffset, U(y), yOffset, U(dy), dyOffset, U(dx), dxOffset, length);
    public void Binary(BinaryOp op, DeviceBuffer a, int aOffset, ReadOnlySpan<int> aStrides, DeviceBuffer b, int bOffset, ReadOnlySpan<int> bStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape) =>
        C.Binary(op, U(a), aOffset, aStrides, U(b), bOffset, bStrides, U(y), yOffset, shape);
    public void Reduce(ReduceOp op, DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset) =>
        C.Reduce(op, U(x), xOffset, outer, axis, inner, U(y), yOffset);
    public void ArgMax(DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset) =>
        C.ArgMax(U(x), xOffset, outer, axis, inner, U(y), yOffset);
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer a, int aOffset, int lda, long strideA,
        DeviceBuffer b, int bOffset, int ldb, long strideB, float beta, DeviceBuffer c, int cOffset, int ldc, long strideC, int batch) =>
        C.Gemm(transA, transB, m, n, k, alpha, U(a), aOffset, lda, strideA, U(b), bOffset, ldb, strideB, beta, U(c), cOffset, ldc, strideC, batch);
    public void GemmBiasActivation(bool transA, bool transB, int m, int n, int k, DeviceBuffer a, int aOffset, int lda, DeviceBuffer b, int bOffset, int ldb,
        DeviceBuffer? bias, int biasOffset, UnaryOp activation, float alpha, DeviceBuffer c, int cOffset) =>
        C.GemmBiasActivation(transA, transB, m, n, k, U(a), aOffset, lda, U(b), bOffset, ldb, U0(bias), biasOffset, activation, alpha, U(c), cOffset);
    public void Softmax(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int rows, int cols, bool log) =>
        C.Softmax(U(x), xOffset, U(y), yOffset, rows, cols, log);
    public void SoftmaxBackward(DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int rows, int cols, bool log) =>
        C.SoftmaxBackward(U(y), yOffset, U(dy), dyOffset, U(dx), dxOffset, rows, cols, log);
    public void RandomUniform(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float low, float high) =>
        C.RandomUniform(U(dst), offset, length, seed, counter, low, high);
    public void RandomNormal(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float mean, float std) =>
        C.RandomNormal(U(dst), offset, length, seed, counter, mean, std);
    public void OptimizerStep(OptimizerOp op, in OptimizerHyperParameters hyper, DeviceBuffer param, int paramOffset,
        DeviceBuffer grad, int gradOffset, DeviceBuffer? state1, int state1Offset, DeviceBuffer? state2, int state2Offset,
        DeviceBuffer target, int targetOffset, bool subtract, int length) =>
        ((IBackend)C).OptimizerStep(op, hyper, U(param), paramOffset, U(grad), gradOffset, U0(state1), state1Offset, U0(state2), state2Offset,
            U(target), targetOffset, subtract, length);
    public void EmbeddingLookup(DeviceBuffer table, int tableOffset, int vocab, int dim, DeviceBuffer indices, int indicesOffset, int count, DeviceBuffer y, int yOffset) =>
        C.EmbeddingLookup(U(table), tableOffset, vocab, dim, U(indices), indicesOffset, count, U(y), yOffset);
    public void EmbeddingBackward(DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, int count, DeviceBuffer dTable, int dTableOffset, int vocab, int dim) =>
        C.EmbeddingBackward(U(dy), dyOffset, U(indices), indicesOffset, count, U(dTable), dTableOffset, vocab, dim);
    public void LayerNorm(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset,
        DeviceBuffer y, int yOffset, DeviceBuffer mean, int meanOffset, DeviceBuffer rstd, int rstdOffset, int rows, int cols, float epsilon) =>
        C.LayerNorm(U(x), xOffset, U(gamma), gammaOffset, U(beta), betaOffset, U(y), yOffset, U(mean), meanOffset, U(rstd), rstdOffset, rows, cols, epsilon);
    public void LayerNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer mean, int meanOffset,
        DeviceBuffer rstd, int rstdOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset,
        DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset, int rows, int cols) =>
        C.LayerNormBackward(U(x), xOffset, U(gamma), gammaOffset, U(mean), meanOffset, U(rstd), rstdOffset, U(dy), dyOffset, U(dx), dxOffset,
            U(dGamma), dGammaOffset, U(dBeta), dBetaOffset, rows, cols);
    public void LstmCell(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride, DeviceBuffer cPrev, int cPrevOffset, int cPrevStride,
        DeviceBuffer c, int cOffset, int cStride, DeviceBuffer h, int hOffset, int hStride) =>
        C.LstmCell(batch, hidden, U(gates), gatesOffset, gatesStride, U(cPrev), cPrevOffset, cPrevStride, U(c), cOffset, cStride, U(h), hOffset, hStride);
    public void LstmCellBackward(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride, DeviceBuffer cPrev, int cPrevOffset, int cPrevStride,
        DeviceBuffer c, int cOffset, int cStride, DeviceBuffer dh, int dhOffset, int dhStride, DeviceBuffer dc, int dcOffset, int dcStride,
        DeviceBuffer dGates, int dGatesOffset, int dGatesStride, DeviceBuffer dcPrev, int dcPrevOffset, int dcPrevStride) =>
        C.LstmCellBackward(batch, hidden, U(gates), gatesOffset, gatesStride, U(cPrev), cPrevOffset, cPrevStride, U(c), cOffset, cStride,
            U(dh), dhOffset, dhStride, U(dc), dcOffset, dcStride, U(dGates), dGatesOffset, dGatesStride, U(dcPrev), dcPrevOffset, dcPrevStride);
    public void GruCell(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride,
        DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer h, int hOffset, int hStride) =>
        C.GruCell(batch, hidden, U(xp), xpOffset, xpStride, U(hp), hpOffset, hpStride, U(hPrev), hPrevOffset, hPrevStride, U(h), hOffset, hStride);
    public void GruCellBackward(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride,
        DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer dh, int dhOffset, int dhStride,
        DeviceBuffer dxp, int dxpOffset, int dxpStride, DeviceBuffer dhp, int dhpOffset, int dhpStride, DeviceBuffer dhPrev, int dhPrevOffset, int dhPrevStride) =>
        C.GruCellBackward(batch, hidden, U(xp), xpOffset, xpStride, U(hp), hpOffset, hpStride, U(hPrev), hPrevOffset, hPrevStride, U(dh), dhOffset, dhStride,
            U(dxp), dxpOffset, dxpStride, U(dhp), dhpOffset, dhpStride, U(dhPrev), dhPrevOffset, dhPrevStride);
}
