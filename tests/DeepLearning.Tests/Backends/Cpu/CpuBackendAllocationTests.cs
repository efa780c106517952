using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// The primitives a training step calls allocate nothing per call once warm, split over threads (no tasks, closures,
/// delegates or arrays) or not. Runs alone, since the allocation counter is process-wide (helper threads included).
/// </summary>
[Collection(nameof(CpuThreadsCollection))]
public class CpuBackendAllocationTests
{
    private const int Calls = 50, BytesPerCall = 64, Long = 1 << 20, Gemm = 512;

    public static TheoryData<string> Cases => new(
    [
        // Split over threads (above Sgemm.ParallelWork or CpuBackend.ParallelThreshold).
        "gemm 512x512x512", "unary map", "unary backward", "binary same shape", "binary row broadcast", "adam step",
        "dense 128x512x784 bias relu", "batched gemm 8 of 64x64x64",
        // On the calling thread.
        "small map", "small binary broadcast", "softmax", "softmax backward", "reduce rows", "reduce columns", "argmax",
        "transpose copy", "random normal",
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_call_allocates_nothing_once_warm(string name)
    {
        var buffers = Enumerable.Range(0, 5).Select(i => With(TestData.Uniform(Long, 50 + i, 0.1, 1), 0)).ToArray();
        var (x, y, dy, dx, z) = (buffers[0], buffers[1], buffers[2], buffers[3], buffers[4]);
        var a = TestData.Uniform(Gemm * Gemm, 1);
        var b = TestData.Uniform(Gemm * Gemm, 2);
        var c = new float[Gemm * Gemm];
        var hyper = new OptimizerHyperParameters { LearningRate = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f, Correction1 = 10f, Correction2 = 1000f };
        Action call = name switch
        {
            "gemm 512x512x512" => () => Sgemm.Multiply(false, false, Gemm, Gemm, Gemm, 1f, a, 0, Gemm, b, 0, Gemm, 0f, c, 0, Gemm),
            "unary map" => () => Backend.Unary(UnaryOp.Tanh, 0f, x, 0, y, 0, Long),
            "unary backward" => () => Backend.UnaryBackward(UnaryOp.Tanh, 0f, x, 0, y, 0, dy, 0, dx, 0, Long),
            "binary same shape" => () => Backend.Binary(BinaryOp.Mul, x, 0, [1], z, 0, [1], y, 0, [Long]),
            "binary row broadcast" => () => Backend.Binary(BinaryOp.Add, x, 0, [1024, 1], z, 0, [0, 1], y, 0, [1024, 1024]),
            "adam step" => () => Backend.OptimizerStep(OptimizerOp.Adam, hyper, x, 0, z, 0, dy, 0, dx, 0, x, 0, true, Long),
            "dense 128x512x784 bias relu" => () => Backend.GemmBiasActivation(false, false, 128, 512, 784, x, 0, 784, z, 0, 512, dy, 0, UnaryOp.Relu, 0f, y, 0),
            "batched gemm 8 of 64x64x64" => () => Backend.Gemm(false, true, 64, 64, 64, 1f, x, 0, 64, 4096, z, 0, 64, 4096, 0f, y, 0, 64, 4096, 8),
            "small map" => () => Backend.Unary(UnaryOp.Relu, 0f, x, 0, y, 0, 1000),
            "small binary broadcast" => () => Backend.Binary(BinaryOp.Add, x, 0, [10, 1], z, 0, [0, 1], y, 0, [128, 10]),
            "softmax" => () => Backend.Softmax(x, 0, y, 0, 128, 10, log: true),
            "softmax backward" => () => Backend.SoftmaxBackward(y, 0, dy, 0, dx, 0, 128, 10, log: true),
            "reduce rows" => () => Backend.Reduce(ReduceOp.Sum, x, 0, 128, 512, 1, y, 0),
            "reduce columns" => () => Backend.Reduce(ReduceOp.Sum, x, 0, 1, 128, 512, y, 0),
            "argmax" => () => Backend.ArgMax(x, 0, 128, 10, 1, y, 0),
            "transpose copy" => () => Backend.CopyStrided(x, 0, [1, 512], y, 0, [512, 512]),
            "random normal" => () => Backend.RandomNormal(y, 0, 1000, 7, 0, 0f, 1f),
            _ => throw new ArgumentException(name),
        };
        // All threads: the helpers' work counts too.
        long best = Allocations.Least(() =>
        {
            for (int i = 0; i < Calls; i++) call();
        }, warmUp: 1, tries: 3, allThreads: true);
        foreach (var buffer in buffers) buffer.Release();
        Assert.True(best < (long)BytesPerCall * Calls, $"{name}: {best / (double)Calls:F1} bytes allocated per call once warm");
    }
}
