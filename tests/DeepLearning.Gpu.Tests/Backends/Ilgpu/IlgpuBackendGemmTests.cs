using DeepLearning.Backends;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>GEMM (transposes, leading dimensions, batch strides, α, β) and the fused dense epilogue against the CPU.</summary>
public class IlgpuBackendGemmTests
{
    public static TheoryData<string, bool, bool, float> Cases()
    {
        var data = new TheoryData<string, bool, bool, float>();
        foreach (var d in Names)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (float beta in new[] { 0f, 0.5f })
                        data.Add(d, ta, tb, beta);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Batched_gemm_matches_the_cpu(string device, bool transA, bool transB, float beta)
    {
        const int m = 7, n = 9, k = 19, batch = 2;
        // Row strides wider than the rows (lda = rows + 2 …) and batch strides with a gap.
        int lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3;
        long sa = (long)lda * (transA ? k : m) + 5, sb = (long)ldb * (transB ? n : k) + 3, sc = (long)ldc * m + 4;
        var a = Random((int)(sa * batch), 10);
        var b = Random((int)(sb * batch), 11);
        var c0 = Random((int)(sc * batch) + 1, 12);
        // With β = 0, C starts as NaN: it must not be read.
        if (beta == 0f) Array.Fill(c0, float.NaN);
        var (cpu, gpu) = Both(Backend(device), [a, b], c0,
            (be, i, o) => be.Gemm(transA, transB, m, n, k, 1.5f, i[0], 0, lda, sa, i[1], 0, ldb, sb, beta, o, 1, ldc, sc, batch));
        AssertClose(cpu, gpu, 1e-4f, $"Gemm transA={transA} transB={transB} β={beta}");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Gemm_larger_than_several_tiles_matches_the_cpu(string device)
    {
        // Several 64 × 64 blocks at warp 32 and 16 × 16 blocks at warp 4, none of them full.
        const int m = 70, n = 67, k = 41;
        var a = Random(m * k, 13);
        var b = Random(k * n, 14);
        var (cpu, gpu) = Both(Backend(device), [a, b], new float[m * n],
            (be, i, o) => be.Gemm(false, false, m, n, k, 1f, i[0], 0, k, 0, i[1], 0, n, 0, 0f, o, 0, n, 0, 1));
        AssertClose(cpu, gpu, 1e-4f, "Gemm 70x67x41");
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Batched_gemm_with_a_shared_operand_matches_the_cpu(string device)
    {
        // Batch stride 0 on B: one weight matrix for every batch (a broadcast batched matmul), k past a tile.
        const int m = 5, n = 33, k = 70, batch = 3;
        var a = Random(m * k * batch, 18);
        var b = Random(k * n, 19);
        var (cpu, gpu) = Both(Backend(device), [a, b], new float[m * n * batch],
            (be, i, o) => be.Gemm(false, false, m, n, k, 1f, i[0], 0, k, (long)m * k, i[1], 0, n, 0, 0f, o, 0, n, (long)m * n, batch));
        AssertClose(cpu, gpu, 1e-4f, "Gemm with B shared across the batch");
    }

    public static TheoryData<string, UnaryOp, bool> EpilogueCases()
    {
        var data = new TheoryData<string, UnaryOp, bool>
        {
            { "warp4", UnaryOp.Relu, true }, { "warp4", UnaryOp.Identity, true }, { "warp4", UnaryOp.Tanh, false },
            { "warp32", UnaryOp.Relu, true }, { "warp32", UnaryOp.Gelu, true }, { "warp32", UnaryOp.Identity, false },
        };
        foreach (var d in Names.Except(["warp4", "warp32"]))
        {
            data.Add(d, UnaryOp.Relu, true);
            data.Add(d, UnaryOp.Gelu, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EpilogueCases))]
    public void GemmBiasActivation_matches_the_cpu(string device, UnaryOp activation, bool withBias)
    {
        const int m = 6, n = 10, k = 12;
        var x = Random(m * k, 15);
        var w = Random(n * k, 16);
        var bias = Random(n + 1, 17);
        var (cpu, gpu) = Both(Backend(device), [x, w, bias], new float[m * n], (be, i, o) =>
            be.GemmBiasActivation(false, true, m, n, k, i[0], 0, k, i[1], 0, k, withBias ? i[2] : null, 1, activation, 0f, o, 0));
        AssertClose(cpu, gpu, 1e-4f, $"Dense epilogue {activation}");
    }
}
