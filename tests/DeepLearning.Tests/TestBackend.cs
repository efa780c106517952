using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Tests;

/// <summary>
/// The test device: a second backend whose memory is host memory behind a buffer type of its own, so code that assumes
/// the CPU backend (casts a buffer to <see cref="CpuBuffer"/>, reads host memory directly) fails or skips, and that
/// counts every call, upload and download, so tests can assert a step's budget. The kernels are the CPU backend's.
/// </summary>
internal sealed class TestBackend : IBackend
{
    private static readonly CpuBackend C = CpuBackend.Instance;
    private long _calls, _uploads, _downloads, _live;

    /// <summary>One test device shared by the tests that run their tables on it (no counting there).</summary>
    public static Device Shared { get; } = new(new TestBackend("test"));

    private TestBackend(string name) => Name = name;

    /// <summary>A new device of its own, so a test counts only its own calls.</summary>
    public static (Device Device, TestBackend Backend) Create()
    {
        var b = new TestBackend("test");
        return (new Device(b), b);
    }

    /// <summary>Backend operations so far (every member but <see cref="Allocate"/> and the statistics).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Host-to-device copies so far.</summary>
    public long Uploads => Interlocked.Read(ref _uploads);

    /// <summary>Device-to-host copies so far.</summary>
    public long Downloads => Interlocked.Read(ref _downloads);

    /// <summary>Counts of (calls, uploads, downloads) made while <paramref name="run"/> runs.</summary>
    public (long Calls, long Uploads, long Downloads) Count(Action run)
    {
        long c = Calls, u = Uploads, d = Downloads;
        Trace = [];
        run();
        return (Calls - c, Uploads - u, Downloads - d);
    }

    private sealed class TestBuffer(TestBackend backend, DeviceBuffer inner) : DeviceBuffer(inner.Length)
    {
        public DeviceBuffer Inner { get; } = inner;
        public override IBackend Backend => backend;
        protected override void Free()
        {
            Interlocked.Decrement(ref backend._live);
            Inner.Release();
        }
    }

    private DeviceBuffer U(DeviceBuffer b) =>
        b is TestBuffer t && t.Backend == this ? t.Inner : throw new ArgumentException($"{Name}: buffer belongs to backend '{b.Backend.Name}'");

    private DeviceBuffer? U0(DeviceBuffer? b) => b is null ? null : U(b);

    private void Op([System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        Interlocked.Increment(ref _calls);
        Trace?.Add(name);
    }

    /// <summary>When set, receives the name of every call (budget failures print it).</summary>
    public List<string>? Trace { get; set; }

    public string Name { get; }
    public long LiveBuffers => Interlocked.Read(ref _live);
    public long BytesInUse => 0;
    public long BytesReserved => 0;
    public void TrimCache() { }

    public DeviceBuffer Allocate(int length)
    {
        Interlocked.Increment(ref _live);
        return new TestBuffer(this, C.Allocate(length));
    }

    public void Upload(ReadOnlySpan<float> src, DeviceBuffer dst, int dstOffset)
    {
        Op();
        Interlocked.Increment(ref _uploads);
        C.Upload(src, U(dst), dstOffset);
    }

    public void Download(DeviceBuffer src, int srcOffset, Span<float> dst)
    {
        Op();
        Interlocked.Increment(ref _downloads);
        C.Download(U(src), srcOffset, dst);
    }

    public void Synchronize() => Op();

    public void Fill(DeviceBuffer dst, int offset, int length, float value) { Op(); C.Fill(U(dst), offset, length, value); }

    public void CopyBlocks(DeviceBuffer src, int srcOffset, int srcStride, DeviceBuffer dst, int dstOffset, int dstStride, int blockLength, int count)
    { Op(); C.CopyBlocks(U(src), srcOffset, srcStride, U(dst), dstOffset, dstStride, blockLength, count); }

    public void CopyStrided(DeviceBuffer x, int xOffset, ReadOnlySpan<int> xStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape)
    { Op(); C.CopyStrided(U(x), xOffset, xStrides, U(y), yOffset, shape); }

    public void GatherRows(DeviceBuffer x, int xOffset, int rowLength, ReadOnlySpan<int> rows, DeviceBuffer y, int yOffset)
    { Op(); C.GatherRows(U(x), xOffset, rowLength, rows, U(y), yOffset); }

    public void AddInPlace(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length)
    { Op(); C.AddInPlace(U(x), xOffset, U(y), yOffset, length); }

    public void Unary(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length)
    { Op(); C.Unary(op, alpha, U(x), xOffset, U(y), yOffset, length); }

    public void UnaryBackward(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int length)
    { Op(); C.UnaryBackward(op, alpha, U(x), xOffset, U(y), yOffset, U(dy), dyOffset, U(dx), dxOffset, length); }

    public void Binary(BinaryOp op, DeviceBuffer a, int aOffset, ReadOnlySpan<int> aStrides, DeviceBuffer b, int bOffset, ReadOnlySpan<int> bStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape)
    { Op(); C.Binary(op, U(a), aOffset, aStrides, U(b), bOffset, bStrides, U(y), yOffset, shape); }

    public void Reduce(ReduceOp op, DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset)
    { Op(); C.Reduce(op, U(x), xOffset, outer, axis, inner, U(y), yOffset); }

    public void ArgMax(DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset)
    { Op(); C.ArgMax(U(x), xOffset, outer, axis, inner, U(y), yOffset); }

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer a, int aOffset, int lda, long strideA,
        DeviceBuffer b, int bOffset, int ldb, long strideB, float beta, DeviceBuffer c, int cOffset, int ldc, long strideC, int batch)
    { Op(); C.Gemm(transA, transB, m, n, k, alpha, U(a), aOffset, lda, strideA, U(b), bOffset, ldb, strideB, beta, U(c), cOffset, ldc, strideC, batch); }

    public void GemmBiasActivation(bool transA, bool transB, int m, int n, int k, DeviceBuffer a, int aOffset, int lda, DeviceBuffer b, int bOffset, int ldb,
        DeviceBuffer? bias, int biasOffset, UnaryOp activation, float alpha, DeviceBuffer c, int cOffset)
    { Op(); C.GemmBiasActivation(transA, transB, m, n, k, U(a), aOffset, lda, U(b), bOffset, ldb, U0(bias), biasOffset, activation, alpha, U(c), cOffset); }

    public void Softmax(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int rows, int cols, bool log)
    { Op(); C.Softmax(U(x), xOffset, U(y), yOffset, rows, cols, log); }

    public void SoftmaxBackward(DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int rows, int cols, bool log)
    { Op(); C.SoftmaxBackward(U(y), yOffset, U(dy), dyOffset, U(dx), dxOffset, rows, cols, log); }

    public void RandomUniform(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float low, float high)
    { Op(); C.RandomUniform(U(dst), offset, length, seed, counter, low, high); }

    public void RandomNormal(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float mean, float std)
    { Op(); C.RandomNormal(U(dst), offset, length, seed, counter, mean, std); }

    public void Dropout(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length, float p, ulong seed, ulong counter)
    { Op(); C.Dropout(U(x), xOffset, U(y), yOffset, length, p, seed, counter); }

    public void BatchNormStatistics(DeviceBuffer x, int xOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset,
        DeviceBuffer variance, int varianceOffset, DeviceBuffer? runningMean, int runningMeanOffset, DeviceBuffer? runningVar, int runningVarOffset, float momentum)
    { Op(); C.BatchNormStatistics(U(x), xOffset, n, c, s, U(mean), meanOffset, U(variance), varianceOffset, U0(runningMean), runningMeanOffset, U0(runningVar), runningVarOffset, momentum); }

    public void BatchNormForward(DeviceBuffer x, int xOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset, DeviceBuffer variance, int varianceOffset,
        float epsilon, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset, DeviceBuffer y, int yOffset)
    { Op(); C.BatchNormForward(U(x), xOffset, n, c, s, U(mean), meanOffset, U(variance), varianceOffset, epsilon, U(gamma), gammaOffset, U(beta), betaOffset, U(y), yOffset); }

    public void BatchNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer dy, int dyOffset, int n, int c, int s, DeviceBuffer mean, int meanOffset,
        DeviceBuffer variance, int varianceOffset, float epsilon, DeviceBuffer gamma, int gammaOffset, DeviceBuffer dx, int dxOffset,
        DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset)
    { Op(); C.BatchNormBackward(U(x), xOffset, U(dy), dyOffset, n, c, s, U(mean), meanOffset, U(variance), varianceOffset, epsilon, U(gamma), gammaOffset, U(dx), dxOffset, U(dGamma), dGammaOffset, U(dBeta), dBetaOffset); }

    public void OptimizerStep(OptimizerOp op, in OptimizerHyperParameters hyper, DeviceBuffer param, int paramOffset,
        DeviceBuffer grad, int gradOffset, DeviceBuffer? state1, int state1Offset, DeviceBuffer? state2, int state2Offset,
        DeviceBuffer target, int targetOffset, bool subtract, int length)
    { Op(); C.OptimizerStep(op, hyper, U(param), paramOffset, U(grad), gradOffset, U0(state1), state1Offset, U0(state2), state2Offset, U(target), targetOffset, subtract, length); }

    // Sequence primitives (IBackend.Sequence.cs).
    public void EmbeddingLookup(DeviceBuffer table, int tableOffset, int vocab, int dim, DeviceBuffer indices, int indicesOffset, int count, DeviceBuffer y, int yOffset)
    { Op(); C.EmbeddingLookup(U(table), tableOffset, vocab, dim, U(indices), indicesOffset, count, U(y), yOffset); }

    public void EmbeddingBackward(DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, int count, DeviceBuffer dTable, int dTableOffset, int vocab, int dim)
    { Op(); C.EmbeddingBackward(U(dy), dyOffset, U(indices), indicesOffset, count, U(dTable), dTableOffset, vocab, dim); }

    public void LayerNorm(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer beta, int betaOffset, DeviceBuffer y, int yOffset, DeviceBuffer mean, int meanOffset, DeviceBuffer rstd, int rstdOffset, int rows, int cols, float epsilon)
    { Op(); C.LayerNorm(U(x), xOffset, U(gamma), gammaOffset, U(beta), betaOffset, U(y), yOffset, U(mean), meanOffset, U(rstd), rstdOffset, rows, cols, epsilon); }

    public void LayerNormBackward(DeviceBuffer x, int xOffset, DeviceBuffer gamma, int gammaOffset, DeviceBuffer mean, int meanOffset, DeviceBuffer rstd, int rstdOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, DeviceBuffer dGamma, int dGammaOffset, DeviceBuffer dBeta, int dBetaOffset, int rows, int cols)
    { Op(); C.LayerNormBackward(U(x), xOffset, U(gamma), gammaOffset, U(mean), meanOffset, U(rstd), rstdOffset, U(dy), dyOffset, U(dx), dxOffset, U(dGamma), dGammaOffset, U(dBeta), dBetaOffset, rows, cols); }

    public void LstmCell(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride, DeviceBuffer cPrev, int cPrevOffset, int cPrevStride, DeviceBuffer c, int cOffset, int cStride, DeviceBuffer h, int hOffset, int hStride)
    { Op(); C.LstmCell(batch, hidden, U(gates), gatesOffset, gatesStride, U(cPrev), cPrevOffset, cPrevStride, U(c), cOffset, cStride, U(h), hOffset, hStride); }

    public void LstmCellBackward(int batch, int hidden, DeviceBuffer gates, int gatesOffset, int gatesStride, DeviceBuffer cPrev, int cPrevOffset, int cPrevStride, DeviceBuffer c, int cOffset, int cStride, DeviceBuffer dh, int dhOffset, int dhStride, DeviceBuffer dc, int dcOffset, int dcStride, DeviceBuffer dGates, int dGatesOffset, int dGatesStride, DeviceBuffer dcPrev, int dcPrevOffset, int dcPrevStride)
    { Op(); C.LstmCellBackward(batch, hidden, U(gates), gatesOffset, gatesStride, U(cPrev), cPrevOffset, cPrevStride, U(c), cOffset, cStride, U(dh), dhOffset, dhStride, U(dc), dcOffset, dcStride, U(dGates), dGatesOffset, dGatesStride, U(dcPrev), dcPrevOffset, dcPrevStride); }

    public void GruCell(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride, DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer h, int hOffset, int hStride)
    { Op(); C.GruCell(batch, hidden, U(xp), xpOffset, xpStride, U(hp), hpOffset, hpStride, U(hPrev), hPrevOffset, hPrevStride, U(h), hOffset, hStride); }

    public void GruCellBackward(int batch, int hidden, DeviceBuffer xp, int xpOffset, int xpStride, DeviceBuffer hp, int hpOffset, int hpStride, DeviceBuffer hPrev, int hPrevOffset, int hPrevStride, DeviceBuffer dh, int dhOffset, int dhStride, DeviceBuffer dxp, int dxpOffset, int dxpStride, DeviceBuffer dhp, int dhpOffset, int dhpStride, DeviceBuffer dhPrev, int dhPrevOffset, int dhPrevStride)
    { Op(); C.GruCellBackward(batch, hidden, U(xp), xpOffset, xpStride, U(hp), hpOffset, hpStride, U(hPrev), hPrevOffset, hPrevStride, U(dh), dhOffset, dhStride, U(dxp), dxpOffset, dxpStride, U(dhp), dhpOffset, dhpStride, U(dhPrev), dhPrevOffset, dhPrevStride); }

    // Convolution and pooling primitives.
    public void Conv2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset)
    { Op(); C.Conv2D(g, U(x), xOffset, U(w), wOffset, U0(bias), biasOffset, relu, U(y), yOffset); }

    public void Conv2DBackward(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset)
    { Op(); C.Conv2DBackward(g, U(x), xOffset, U(w), wOffset, U(dy), dyOffset, U0(dx), dxOffset, U0(dw), dwOffset, U0(dbias), dbiasOffset); }

    public void MaxPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer indices, int indicesOffset)
    { Op(); C.MaxPool2D(g, U(x), xOffset, U(y), yOffset, U(indices), indicesOffset); }

    public void MaxPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, DeviceBuffer dx, int dxOffset)
    { Op(); C.MaxPool2DBackward(g, U(dy), dyOffset, U(indices), indicesOffset, U(dx), dxOffset); }

    public void AvgPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset)
    { Op(); C.AvgPool2D(g, U(x), xOffset, U(y), yOffset); }

    public void AvgPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset)
    { Op(); C.AvgPool2DBackward(g, U(dy), dyOffset, U(dx), dxOffset); }
}
