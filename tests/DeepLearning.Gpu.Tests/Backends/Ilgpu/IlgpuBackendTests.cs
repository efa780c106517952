using DeepLearning.Backends;
using DeepLearning.Backends.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>Memory (caching allocator, transfers, fills, copies) and misuse of the GPU backend.</summary>
public class IlgpuBackendTests
{
    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Fill_CopyBlocks_and_CopyStrided_match_the_cpu(string device)
    {
        var gpu = Backend(device);
        var x = Random(60, 40);
        var (c, g) = Both(gpu, [], Random(20, 41), (b, _, o) => b.Fill(o, 3, 11, -2.5f));
        Assert.Equal(c, g);
        (c, g) = Both(gpu, [x], new float[50], (b, i, o) => b.CopyBlocks(i[0], 2, 10, o, 1, 12, 7, 4));
        Assert.Equal(c, g);
        // A transpose of [3, 4, 5] to [5, 3, 4] and a broadcast (stride 0) of a row.
        (c, g) = Both(gpu, [x], new float[61], (b, i, o) => b.CopyStrided(i[0], 0, [1, 20, 5], o, 1, [5, 3, 4]));
        Assert.Equal(c, g);
        (c, g) = Both(gpu, [x], new float[24], (b, i, o) => b.CopyStrided(i[0], 3, [0, 1], o, 0, [4, 6]));
        Assert.Equal(c, g);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Released_buffers_are_reused_without_new_device_allocations(string device)
    {
        var gpu = Backend(device);
        long live = gpu.LiveBuffers;
        for (int i = 0; i < 3; i++) gpu.Allocate(1000 + i).Release();
        long driver = gpu.DriverAllocations;
        var held = new List<DeviceBuffer>();
        for (int i = 0; i < 50; i++)
        {
            var b = gpu.Allocate(900 + i); // all in the 1024-float class
            b.Release();
        }
        Assert.Equal(driver, gpu.DriverAllocations);
        for (int i = 0; i < 4; i++) held.Add(gpu.Allocate(100));
        Assert.Equal(live + 4, gpu.LiveBuffers);
        foreach (var b in held) b.Release();
        Assert.Equal(live, gpu.LiveBuffers);
    }

    [Fact]
    public void Out_of_memory_names_the_bytes_requested_and_the_backend_keeps_working()
    {
        var gpu = Backend("warp4");
        long limit = gpu.MemoryLimit;
        try
        {
            // Trimmed first: otherwise the retry after trimming could find room under the limit.
            gpu.TrimCache();
            gpu.MemoryLimit = gpu.BytesReserved + (1 << 20);
            var e = Assert.Throws<GpuOutOfMemoryException>(() => gpu.Allocate(1 << 20));
            Assert.Equal(4L << 20, e.BytesRequested);
            Assert.Contains("4194304 bytes requested", e.Message, StringComparison.Ordinal);
            Assert.Contains(gpu.Name, e.Message, StringComparison.Ordinal);
            Assert.Contains(" free of ", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            gpu.MemoryLimit = limit;
        }
        var ok = gpu.Allocate(1 << 20);
        ok.Release();
    }

    [Fact]
    public void A_buffer_of_another_device_is_refused_by_name()
    {
        var gpu = Backend("warp4");
        var cpuBuffer = Device.Cpu.Backend.Allocate(4);
        var e = Assert.Throws<ArgumentException>(() => gpu.Fill(cpuBuffer, 0, 4, 1f));
        Assert.Contains("belongs to backend 'cpu'", e.Message, StringComparison.Ordinal);
        cpuBuffer.Release();
        var other = Backend("warp32").Allocate(4);
        Assert.Throws<ArgumentException>(() => gpu.Fill(other, 0, 4, 1f));
        other.Release();
    }

    [Fact]
    public void Each_kernel_is_loaded_once_and_kept()
    {
        var gpu = Backend("warp4");
        var x = gpu.Allocate(8);
        gpu.Fill(x, 0, 8, 0.5f);
        gpu.Unary(UnaryOp.Sigmoid, 0f, x, 0, x, 0, 8);
        long loads = gpu.KernelLoads;
        for (int i = 0; i < 5; i++)
        {
            gpu.Fill(x, 0, 8, 0.5f);
            gpu.Unary(UnaryOp.Sigmoid, 0f, x, 0, x, 0, 8);
        }
        Assert.Equal(loads, gpu.KernelLoads);
        gpu.Unary(UnaryOp.Cos, 0f, x, 0, x, 0, 8);
        Assert.True(gpu.KernelLoads <= loads + 1);
        x.Release();
    }

    [Fact]
    public void A_kernel_that_fails_to_compile_is_reported_with_its_name_and_ilgpus_message()
    {
        // A device of its own: a failed compile can poison an ILGPU context for later kernels.
        var gpu = (IlgpuBackend)GpuDevices.IlgpuCpu(4, 8, 1).Backend;
        var e = Assert.Throws<InvalidOperationException>(() =>
            gpu.Load(nameof(ClampKernel), a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>>(ClampKernel)));
        Assert.Contains($"{gpu.Name}: kernel ClampKernel failed to compile: ", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException);
        // The CPU device is untouched.
        Assert.Equal(6f, (Tensor.FromArray([1f, 2f, 3f])).Sum().Item());
    }

    /// <summary>Math.Clamp's throw helper has no kernel form (ILGPU: "Not supported IL instruction of type 'Throw'").</summary>
    private static void ClampKernel(Index1D i, ArrayView<float> y) => y[i] = Math.Clamp(y[i], 0f, 1f);
}
