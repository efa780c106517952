using DeepLearning.Backends.Ilgpu;
using DeepLearning.Gpu.Tests.Backends.Ilgpu;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Native;

/// <summary>
/// cuBLAS on CUDA devices: used whenever it can be loaded, TF32 off unless asked for. The products themselves are
/// compared with the CPU by the GEMM conformance tests, which run on cuBLAS on a CUDA device.
/// </summary>
public class CublasGemmTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void The_gemm_engine_is_cublas_exactly_when_a_cuda_device_can_load_it(string device)
    {
        var backend = Backend(device);
        output.WriteLine($"{device}: {backend.GemmEngine}");
        bool cublas = device == "cuda" && NativeLibraries.TryLoadCublas(out _, out _);
        Assert.Equal(cublas, backend.GemmEngine.StartsWith("cuBLAS", StringComparison.Ordinal));
        if (!cublas)
        {
            backend.AllowTf32 = false;
            var e = Assert.Throws<NotSupportedException>(() => backend.AllowTf32 = true);
            Assert.Contains(backend.Name, e.Message, StringComparison.Ordinal);
            Assert.Contains("TF32", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Tf32_is_off_by_default_and_changes_products_only_when_allowed()
    {
        Assert.SkipUnless(Names.Contains("cuda"), "no CUDA device here (TF32 is a cuBLAS mode on CUDA)");
        var backend = Backend("cuda");
        Assert.SkipUnless(backend.GemmEngine.StartsWith("cuBLAS", StringComparison.Ordinal), $"cuBLAS not in use: {backend.GemmEngine}");
        const int n = 512;
        var a = Random(n * n, 20);
        var b = Random(n * n, 21);
        float Error()
        {
            var (cpu, gpu) = Both(backend, [a, b], new float[n * n],
                (be, i, o) => be.Gemm(false, true, n, n, n, 1f, i[0], 0, n, 0, i[1], 0, n, 0, 0f, o, 0, n, 0, 1));
            float worst = 0f;
            for (int i = 0; i < cpu.Length; i++) worst = Math.Max(worst, Math.Abs(cpu[i] - gpu[i]) / Math.Max(1f, Math.Abs(cpu[i])));
            return worst;
        }
        Assert.False(backend.AllowTf32);
        float fp32 = Error();
        backend.AllowTf32 = true;
        float tf32;
        try
        {
            tf32 = Error();
        }
        finally
        {
            backend.AllowTf32 = false;
        }
        output.WriteLine($"largest relative error against the CPU: FP32 {fp32:E2}, TF32 {tf32:E2}");
        Assert.True(fp32 <= 1e-4f, $"FP32 products differ from the CPU by {fp32:E2}");
        // TF32 keeps 10 mantissa bits: visibly less exact than FP32, still close (measured on an H200: FP32 4.4e-5,
        // TF32 2.9e-2 relative to max(1, |c|) over 512 × 512 sums of 512 products).
        Assert.InRange(tf32, 2 * fp32 + 1e-6f, 0.1f);
        Assert.True(Error() <= 1e-4f, "products after turning TF32 off again");
    }
}
