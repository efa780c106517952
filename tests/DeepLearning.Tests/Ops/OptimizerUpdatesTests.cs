using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Tests.Ops;

/// <summary>
/// The fused optimizer kernel: the CPU override against the interface's default (download, host reference, upload),
/// which other backends get until they write their own kernel; every op, both target modes, with the target
/// aliasing the parameter or the gradient, at lengths around the SIMD width, at an offset, and one long enough to be
/// split across cores.
/// </summary>
public class OptimizerUpdatesTests
{
    public static TheoryData<OptimizerOp, bool, int> Cases()
    {
        var data = new TheoryData<OptimizerOp, bool, int>();
        foreach (var op in Enum.GetValues<OptimizerOp>())
            foreach (bool subtract in new[] { false, true })
                foreach (int n in new[] { 0, 1, 7, 16, 37, 300_007 })
                    data.Add(op, subtract, n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cpu_kernel_matches_the_default_host_path(OptimizerOp op, bool subtract, int n)
    {
        var h = new OptimizerHyperParameters
        {
            LearningRate = 0.3f, Beta1 = 0.8f, Beta2 = 0.9f, Epsilon = 1e-3f, WeightDecay = 0.05f, Correction1 = 1.5f, Correction2 = 2.5f,
        };
        IBackend cpu = CpuBackend.Instance;
        IBackend host = new HostFallback();
        const int offset = 3;
        var results = new List<float[]>();
        foreach (var backend in new[] { cpu, host })
        {
            var p = Buffer(n, offset, 1);
            var g = Buffer(n, offset, 2);
            var m = Buffer(n, offset, 3);
            var v = Buffer(n, offset, 4, positive: true);
            // Subtract into the parameter itself; write the step over the gradient (as a chain's scratch does).
            var target = subtract ? p : g;
            backend.OptimizerStep(op, h, p, offset, g, offset, m, offset, v, offset, target, offset, subtract, n);
            results.Add([.. Read(p, n + offset), .. Read(g, n + offset), .. Read(m, n + offset), .. Read(v, n + offset)]);
            foreach (var b in new[] { p, g, m, v }) b.Release();
        }
        Assert.Equal(results[0].Length, results[1].Length);
        for (int i = 0; i < results[0].Length; i++) Assert.Equal(results[0][i], results[1][i], 1e-6f);
    }

    private static DeviceBuffer Buffer(int n, int offset, int seed, bool positive = false)
    {
        var b = CpuBackend.Instance.Allocate(n + offset);
        var values = new float[n + offset];
        for (int i = 0; i < values.Length; i++)
        {
            float x = MathF.Sin(1.3f * i + seed) * 2;
            values[i] = positive ? MathF.Abs(x) : x;
        }
        CpuBackend.Instance.Upload(values, b, 0);
        return b;
    }

    private static float[] Read(DeviceBuffer b, int n)
    {
        var r = new float[n];
        CpuBackend.Instance.Download(b, 0, r);
        return r;
    }

    /// <summary>The CPU backend without its OptimizerStep: calls get the interface's default.</summary>
    private sealed class HostFallback : IBackend
    {
        private static readonly IBackend C = CpuBackend.Instance;
        public string Name => "host-fallback";
        public long LiveBuffers => C.LiveBuffers;
        public DeviceBuffer Allocate(int length) => C.Allocate(length);
        public void Upload(ReadOnlySpan<float> src, DeviceBuffer dst, int dstOffset) => C.Upload(src, dst, dstOffset);
        public void Download(DeviceBuffer src, int srcOffset, Span<float> dst) => C.Download(src, srcOffset, dst);
        public void Fill(DeviceBuffer dst, int offset, int length, float value) => C.Fill(dst, offset, length, value);
        public void CopyBlocks(DeviceBuffer src, int srcOffset, int srcStride, DeviceBuffer dst, int dstOffset, int dstStride, int blockLength, int count) =>
            C.CopyBlocks(src, srcOffset, srcStride, dst, dstOffset, dstStride, blockLength, count);
        public void CopyStrided(DeviceBuffer x, int xOffset, ReadOnlySpan<int> xStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape) =>
            C.CopyStrided(x, xOffset, xStrides, y, yOffset, shape);
        public void Unary(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length) =>
            C.Unary(op, alpha, x, xOffset, y, yOffset, length);
        public void UnaryBackward(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int length) =>
            C.UnaryBackward(op, alpha, x, xOffset, y, yOffset, dy, dyOffset, dx, dxOffset, length);
        public void Binary(BinaryOp op, DeviceBuffer a, int aOffset, ReadOnlySpan<int> aStrides, DeviceBuffer b, int bOffset, ReadOnlySpan<int> bStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape) =>
            C.Binary(op, a, aOffset, aStrides, b, bOffset, bStrides, y, yOffset, shape);
        public void Reduce(ReduceOp op, DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset) =>
            C.Reduce(op, x, xOffset, outer, axis, inner, y, yOffset);
        public void ArgMax(DeviceBuffer x, int xOffset, int outer, int axis, int inner, DeviceBuffer y, int yOffset) =>
            C.ArgMax(x, xOffset, outer, axis, inner, y, yOffset);
        public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer a, int aOffset, int lda, long strideA,
            DeviceBuffer b, int bOffset, int ldb, long strideB, float beta, DeviceBuffer c, int cOffset, int ldc, long strideC, int batch) =>
            C.Gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA, b, bOffset, ldb, strideB, beta, c, cOffset, ldc, strideC, batch);
        public void Conv2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer? bias, int biasOffset, bool relu, DeviceBuffer y, int yOffset) =>
            C.Conv2D(g, x, xOffset, w, wOffset, bias, biasOffset, relu, y, yOffset);
        public void Conv2DBackward(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer w, int wOffset, DeviceBuffer dy, int dyOffset,
            DeviceBuffer? dx, int dxOffset, DeviceBuffer? dw, int dwOffset, DeviceBuffer? dbias, int dbiasOffset) =>
            C.Conv2DBackward(g, x, xOffset, w, wOffset, dy, dyOffset, dx, dxOffset, dw, dwOffset, dbias, dbiasOffset);
        public void MaxPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer indices, int indicesOffset) =>
            C.MaxPool2D(g, x, xOffset, y, yOffset, indices, indicesOffset);
        public void MaxPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, DeviceBuffer dx, int dxOffset) =>
            C.MaxPool2DBackward(g, dy, dyOffset, indices, indicesOffset, dx, dxOffset);
        public void AvgPool2D(in ConvGeometry g, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset) => C.AvgPool2D(g, x, xOffset, y, yOffset);
        public void AvgPool2DBackward(in ConvGeometry g, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset) => C.AvgPool2DBackward(g, dy, dyOffset, dx, dxOffset);
        public void Softmax(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int rows, int cols, bool log) =>
            C.Softmax(x, xOffset, y, yOffset, rows, cols, log);
        public void SoftmaxBackward(DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int rows, int cols, bool log) =>
            C.SoftmaxBackward(y, yOffset, dy, dyOffset, dx, dxOffset, rows, cols, log);
        public void RandomUniform(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float low, float high) =>
            C.RandomUniform(dst, offset, length, seed, counter, low, high);
        public void RandomNormal(DeviceBuffer dst, int offset, int length, ulong seed, ulong counter, float mean, float std) =>
            C.RandomNormal(dst, offset, length, seed, counter, mean, std);
    }
}
