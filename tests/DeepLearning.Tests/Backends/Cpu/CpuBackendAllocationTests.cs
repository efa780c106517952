using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>
/// The split (multi-threaded) paths of the CPU backend allocate nothing per call once warm: no tasks, closures,
/// delegates or arrays. Runs alone, since the allocation counter is process-wide (helper threads included).
/// </summary>
[Collection(nameof(AllocationCollection))]
public class CpuBackendAllocationTests
{
    private const int Calls = 50, BytesPerCall = 64, Long = 1 << 20, Gemm = 512;

    public static TheoryData<string> Cases => new(["gemm 512x512x512", "unary map", "unary backward", "binary same shape", "binary row broadcast", "adam step"]);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void A_split_call_allocates_nothing_once_warm(string name)
    {
        Skip.If(WorkerPool.HelperCount == 0, "one core: nothing is split");
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
            _ => throw new ArgumentException(name),
        };
        for (int i = 0; i < 10; i++) call();
        // The least of a few tries: the counter also sees whatever the test runner's own threads allocate meanwhile.
        long best = long.MaxValue;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Calls; i++) call();
            best = Math.Min(best, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        foreach (var buffer in buffers) buffer.Release();
        Assert.True(best < (long)BytesPerCall * Calls, $"{name}: {best / (double)Calls:F1} bytes allocated per call once warm");
    }
}
