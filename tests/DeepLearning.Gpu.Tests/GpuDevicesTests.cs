using System.Runtime.InteropServices;
using DeepLearning.Gpu.Tests.Backends.Ilgpu;

namespace DeepLearning.Gpu.Tests;

/// <summary>Opening devices, listing them, and what happens without a driver.</summary>
public class GpuDevicesTests
{
    private static bool CudaDriverPresent =>
        NativeLibrary.TryLoad("libcuda.so.1", out _) || NativeLibrary.TryLoad("libcuda.so", out _);

    [Fact]
    public void Cuda_without_a_driver_names_libcuda_so_1_and_the_cpu_keeps_working()
    {
        Assert.SkipWhen(CudaDriverPresent, "an NVIDIA driver is installed here, so the missing-driver error cannot be provoked");
        var e = Assert.Throws<GpuUnavailableException>(() => Device.Cuda());
        Assert.Contains("libcuda.so.1", e.Message, StringComparison.Ordinal);
        Assert.Contains("install", e.Message, StringComparison.Ordinal);
        // The failure left nothing behind: the CPU device and the CPU accelerator still work in this process.
        var sum = (Tensor.FromArray([1f, 2f, 3f]) * 2f).Sum().Item();
        Assert.Equal(12f, sum);
        var onAccelerator = (Tensor.FromArray([1f, 2f, 3f], GpuDevices.IlgpuCpu()) * 2f).Sum().Item();
        Assert.Equal(12f, onAccelerator);
    }

    [Fact]
    public void Cuda_device_runs_a_product_like_the_cpu()
    {
        Assert.SkipUnless(CudaDriverPresent, "libcuda.so.1 is missing: no NVIDIA driver on this machine (the conformance suite runs on CUDA where one is)");
        var a = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        var gpu = GpuDevices.Cuda();
        Assert.Equal(Tensor.MatMul(a, a).ToArray(), Tensor.MatMul(a.To(gpu), a.To(gpu)).ToArray());
    }

    [Fact]
    public void Register_makes_every_device_found_a_name_for_Device_FromName_and_a_wrong_name_lists_them()
    {
        var found = GpuDevices.Register();
        Assert.Same(GpuDevices.IlgpuCpu(), Device.FromName("ilgpu-cpu"));
        foreach (var d in found.Where(d => d.Supported))
            Assert.Equal($"{d.Kind}:{d.Index}", Device.FromName($"{d.Kind}:{d.Index}").Name);
        var e = Assert.Throws<ArgumentException>(() => Device.FromName("cuda:99"));
        Assert.Contains("cuda:99", e.Message, StringComparison.Ordinal);
        Assert.Contains("known devices: cpu, cuda, ", e.Message, StringComparison.Ordinal);
        Assert.Contains("ilgpu-cpu", e.Message, StringComparison.Ordinal);
        if (!CudaDriverPresent)
            Assert.Contains("libcuda.so.1", Assert.Throws<GpuUnavailableException>(() => Device.FromName("cuda")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_is_opened_once_and_named_after_its_accelerator()
    {
        var d = GpuDevices.IlgpuCpu();
        Assert.Same(d, GpuDevices.IlgpuCpu());
        Assert.Same(d, Device.IlgpuCpu());
        Assert.Equal("ilgpu-cpu:4x4", d.Name);
        Assert.NotEqual(d, GpuDevices.IlgpuCpu(32, 8, 1));
    }

    [Fact]
    public void A_device_whose_groups_are_too_small_is_refused_by_name()
    {
        var e = Assert.Throws<GpuUnavailableException>(() => GpuDevices.IlgpuCpu(4, 2, 1));
        Assert.Contains("ilgpu-cpu:4x2: groups of at least 16 threads are needed, the device allows 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listing_devices_never_throws_and_names_each_one()
    {
        var list = GpuDevices.List();
        Assert.All(list, d =>
        {
            Assert.False(string.IsNullOrEmpty(d.Name));
            Assert.True(d.Kind is "cuda" or "opencl");
            Assert.True(d.Supported || d.Note.Length > 0);
        });
        Assert.Equal(CudaDriverPresent ? list.Count(d => d.Kind == "cuda") : 0, list.Count(d => d.Kind == "cuda"));
        // The conformance suite runs on every supported device listed here.
        Assert.All(list.Where(d => d.Supported && d.Index == 0), d => Assert.Contains(d.Kind, TestDevices.Names.Concat(["cuda", "opencl"])));
    }

    [Fact]
    public void Tensors_on_two_devices_are_refused()
    {
        var a = Tensor.FromArray([1f, 2f], GpuDevices.IlgpuCpu());
        var b = Tensor.FromArray([1f, 2f]);
        var e = Assert.ThrowsAny<Exception>(() => a + b);
        Assert.Contains("cpu", e.Message, StringComparison.Ordinal);
    }
}
