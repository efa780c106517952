using System.Runtime.InteropServices;
using DeepLearning.Backends.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DeepLearning;

/// <summary>A GPU (or ILGPU CPU-accelerator) device that can be opened: its kind, index, name and memory.</summary>
/// <param name="Kind"><c>cuda</c> or <c>opencl</c>.</param>
/// <param name="Index">The index to pass to <see cref="GpuDevices.Cuda"/> or <see cref="GpuDevices.OpenCL"/>.</param>
/// <param name="Name">The device's name as its driver reports it.</param>
/// <param name="MemoryBytes">Device memory in bytes.</param>
/// <param name="Supported">False when ILGPU refuses the device (the reason is in <paramref name="Note"/>).</param>
/// <param name="Note">Why the device is refused, or empty.</param>
public sealed record GpuDeviceInfo(string Kind, int Index, string Name, long MemoryBytes, bool Supported, string Note);

/// <summary>
/// The devices of the ILGPU backend: CUDA (NVIDIA), OpenCL 2.0 with the generic address space (AMD ROCm, Intel's
/// compute runtime, PoCL ≥ 6), and ILGPU's CPU accelerator (the GPU kernels run on CPU threads, for tests). Each device
/// is opened once per process and returned again on later calls. A missing driver or a refused device throws
/// <see cref="GpuUnavailableException"/> naming the library or capability and what to install; the CPU device keeps working.
/// </summary>
public static class GpuDevices
{
    private static readonly Dictionary<string, Device> Opened = [];
    private static readonly Lock Gate = new();

    /// <summary>The CUDA device <paramref name="index"/> (<c>cuda:index</c>).</summary>
    /// <exception cref="GpuUnavailableException">No NVIDIA driver (libcuda.so.1), or no such device.</exception>
    public static Device Cuda(int index = 0) => Open($"cuda:{index}", () =>
    {
        NativeLibraries.Register();
        if (!DriverPresent())
            throw new GpuUnavailableException(
                $"cuda:{index}: the NVIDIA driver library libcuda.so.1 was not found; install the NVIDIA driver " +
                $"(Debian: nvidia-driver, or the CUDA toolkit's driver), or set {NativeLibraries.CudaOverride} to the library's path");
        var context = Context.Create(b => b.Cuda().EnableAlgorithms().Optimize(OptimizationLevel.O2));
        try
        {
            var devices = context.GetCudaDevices();
            if (index < 0 || index >= devices.Count)
                throw new GpuUnavailableException($"cuda:{index}: the NVIDIA driver is present but reports {devices.Count} CUDA device(s) ILGPU can use");
            var accelerator = devices[index].CreateCudaAccelerator(context);
            return new IlgpuBackend(context, accelerator, $"cuda:{index}", ownsContext: true);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    });

    /// <summary>The OpenCL device <paramref name="index"/> among those ILGPU accepts (<c>opencl:index</c>).</summary>
    /// <exception cref="GpuUnavailableException">No OpenCL runtime, no such device, or the device lacks OpenCL 2.0's generic address space.</exception>
    public static Device OpenCL(int index = 0) => Open($"opencl:{index}", () =>
    {
        var context = Context.Create(b => b.OpenCL(_ => true).EnableAlgorithms().Optimize(OptimizationLevel.O2));
        try
        {
            var devices = context.GetCLDevices();
            if (index < 0 || index >= devices.Count)
                throw new GpuUnavailableException(
                    $"opencl:{index}: {devices.Count} OpenCL device(s) found; install an OpenCL 2.0 runtime with the generic address space " +
                    "(AMD ROCm, Intel compute-runtime, or PoCL 6 or later) and its ICD loader (ocl-icd-libopencl1)");
            try
            {
                var accelerator = devices[index].CreateCLAccelerator(context);
                return new IlgpuBackend(context, accelerator, $"opencl:{index}", ownsContext: true);
            }
            catch (Exception e) when (e is CapabilityNotSupportedException or NotSupportedException)
            {
                throw new GpuUnavailableException(
                    $"opencl:{index} ({devices[index].Name}): ILGPU refuses the device: {e.Message} (ILGPU needs OpenCL 2.0, or 3.0 with the generic address space)", e);
            }
        }
        catch
        {
            context.Dispose();
            throw;
        }
    });

    /// <summary>
    /// ILGPU's CPU accelerator: the GPU kernels run as .NET code on one thread per lane, to test them without a GPU. The
    /// default is ILGPU's default CPU device (warp 4, 4 warps per group); <c>IlgpuCpu(32, 8, 1)</c> gives 32-lane warps
    /// and 256-thread groups. Slow (milliseconds per launch): for tests only.
    /// </summary>
    /// <param name="warpSize">Threads per warp.</param>
    /// <param name="warpsPerGroup">Warps per multiprocessor (the largest group is warpSize × warpsPerGroup threads).</param>
    /// <param name="multiprocessors">Simulated multiprocessors.</param>
    public static Device IlgpuCpu(int warpSize = 4, int warpsPerGroup = 4, int multiprocessors = 1) =>
        Open($"ilgpu-cpu:{warpSize}x{warpsPerGroup}x{multiprocessors}", () =>
        {
            var context = Context.Create(b => b.CPU(new CPUDevice(warpSize, warpsPerGroup, multiprocessors)).EnableAlgorithms().Optimize(OptimizationLevel.O2));
            try
            {
                var accelerator = context.GetCPUDevice(0).CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);
                return new IlgpuBackend(context, accelerator, $"ilgpu-cpu:{warpSize}x{warpsPerGroup}", ownsContext: true);
            }
            catch
            {
                context.Dispose();
                throw;
            }
        });

    /// <summary>
    /// Makes the GPU devices resolvable by <see cref="Device.FromName"/> (for command lines such as
    /// <c>--device cuda:0</c>): <c>cuda</c> and <c>opencl</c> (index 0), <c>cuda:i</c> and <c>opencl:i</c> for each device
    /// <see cref="List"/> finds, and <c>ilgpu-cpu</c>. A name is opened only when looked up; <c>cuda</c> on a machine without
    /// the driver then throws <see cref="GpuUnavailableException"/> saying what to install. Returns the devices found.
    /// </summary>
    public static IReadOnlyList<GpuDeviceInfo> Register()
    {
        Device.Register("cuda", () => Cuda());
        Device.Register("opencl", () => OpenCL());
        Device.Register("ilgpu-cpu", () => IlgpuCpu());
        var found = List();
        foreach (var d in found)
        {
            int index = d.Index;
            Device.Register($"{d.Kind}:{index}", d.Kind == "cuda" ? () => Cuda(index) : () => OpenCL(index));
        }
        return found;
    }

    /// <summary>The CUDA and OpenCL devices present, with names and memory; empty without drivers. Opens no device.</summary>
    public static IReadOnlyList<GpuDeviceInfo> List()
    {
        NativeLibraries.Register();
        var list = new List<GpuDeviceInfo>();
        using var context = Context.Create(b =>
        {
            if (DriverPresent()) b.Cuda();
            b.OpenCL(_ => true);
        });
        var cuda = context.GetCudaDevices();
        for (int i = 0; i < cuda.Count; i++) list.Add(new("cuda", i, cuda[i].Name, cuda[i].MemorySize, true, ""));
        var cl = context.GetCLDevices();
        for (int i = 0; i < cl.Count; i++)
        {
            bool ok = cl[i].Capabilities.GenericAddressSpace;
            list.Add(new("opencl", i, cl[i].Name, cl[i].MemorySize, ok, ok ? "" : "no OpenCL 2.0 generic address space: ILGPU refuses it"));
        }
        return list;
    }

    /// <summary>Whether the CUDA driver library loads (the unversioned name, libcuda.so.1 or the override).</summary>
    private static bool DriverPresent()
    {
        foreach (var candidate in NativeLibraries.Candidates("cuda").Prepend("libcuda.so"))
            if (NativeLibrary.TryLoad(candidate, out _)) return true;
        return false;
    }

    private static Device Open(string key, Func<IlgpuBackend> create)
    {
        lock (Gate)
        {
            if (Opened.TryGetValue(key, out var device)) return device;
            device = new Device(create());
            Opened[key] = device;
            return device;
        }
    }
}
