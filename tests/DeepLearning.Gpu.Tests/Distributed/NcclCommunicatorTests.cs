using System.Runtime.InteropServices;
using DeepLearning.Distributed;

namespace DeepLearning.Gpu.Tests.Distributed;

/// <summary>
/// The NCCL communicator in one process (a group of one rank, no MPI) where a CUDA device and NCCL are present; its
/// refusals everywhere. Two and more ranks: <c>mpirun -np 2 dotnet DeepLearning.Mpi.Tests.dll nccl</c> on a machine with
/// two GPUs (tests/DeepLearning.Mpi.Tests).
/// </summary>
public class NcclCommunicatorTests
{
    [Fact]
    public void Missing_library_names_it_and_what_to_install()
    {
        var e = Assert.Throws<DllNotFoundException>(() => NcclLibrary.LoadFrom(["/nonexistent/libnccl.so.2"]));
        Assert.Contains("libnccl.so.2 could not be loaded (tried /nonexistent/libnccl.so.2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("pip install nvidia-nccl-cu12", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install libnccl2", e.Message, StringComparison.Ordinal);
        Assert.Contains(NcclLibrary.OverrideVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Candidates_are_the_override_alone_or_the_soname_first()
    {
        var saved = Environment.GetEnvironmentVariable(NcclLibrary.OverrideVariable);
        try
        {
            Environment.SetEnvironmentVariable(NcclLibrary.OverrideVariable, "/opt/nccl/libnccl.so.2");
            Assert.Equal(["/opt/nccl/libnccl.so.2"], NcclLibrary.Candidates().ToArray());
            Environment.SetEnvironmentVariable(NcclLibrary.OverrideVariable, null);
            var all = NcclLibrary.Candidates().ToArray();
            Assert.Equal(NcclLibrary.LibraryName, all[0]);
            Assert.All(all.Skip(1), c => Assert.EndsWith("/lib/libnccl.so.2", c, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(NcclLibrary.OverrideVariable, saved);
        }
    }

    [Fact]
    public void A_device_that_is_not_cuda_is_refused_by_name()
    {
        foreach (var device in new[] { Device.Cpu, GpuDevices.IlgpuCpu() })
        {
            var e = Assert.Throws<ArgumentException>(() => new NcclCommunicator(device, bootstrap: null));
            Assert.Contains($"NCCL runs on CUDA devices, and {device.Name} is not one", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void One_rank_group_reduces_and_broadcasts_cuda_tensors_in_place()
    {
        Assert.SkipUnless(NativeLibrary.TryLoad("libcuda.so.1", out _), "libcuda.so.1 is missing: no NVIDIA driver here, so no CUDA device for NCCL");
        try
        {
            NcclLibrary.Load();
        }
        catch (DllNotFoundException e)
        {
            Assert.Skip($"NCCL is not installed here: {e.Message}");
        }
        var gpu = GpuDevices.Cuda();
        using var nccl = new NcclCommunicator(gpu, bootstrap: null);
        Assert.Equal((0, 1), (nccl.Rank, nccl.WorldSize));
        Assert.StartsWith("NCCL 2.", nccl.Name, StringComparison.Ordinal);

        var values = Tensor.Uniform(new Shape(1000), -1f, 1f, seed: 21).ToArray();
        using var t = Tensor.FromArray(values, gpu);
        nccl.AllReduce(t, ReduceOperation.Sum);
        Assert.Equal(values, t.ToArray());
        nccl.AllReduce(t, ReduceOperation.Average);
        Assert.Equal(values, t.ToArray());
        nccl.Broadcast(t, 0);
        Assert.Equal(values, t.ToArray());
        // A view at an offset: NCCL gets the address of its first element.
        using var rows = Tensor.FromArray(new float[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } }, gpu);
        using var middle = rows.Slice(1, 1);
        nccl.AllReduce(middle, ReduceOperation.Average);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], rows.ToArray());
        // A CPU tensor in a group of one needs no communication.
        using var host = Tensor.FromArray(values);
        nccl.AllReduce(host, ReduceOperation.Sum);
        Assert.Equal(values, host.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => nccl.Broadcast(t, 1));
    }
}
