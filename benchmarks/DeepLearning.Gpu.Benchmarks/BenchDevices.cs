namespace DeepLearning.Gpu.Benchmarks;

/// <summary>
/// The devices the benchmarks compare, as the <c>Device</c> parameter of every benchmark: <c>cpu</c> and each CUDA and
/// OpenCL device found, or the list given with <c>--devices</c>. ILGPU's CPU accelerator (<c>ilgpu-cpu</c>) runs the GPU
/// kernels on CPU threads, orders of magnitude slower than the CPU backend, so it is measured only when named.
/// </summary>
public static class BenchDevices
{
    /// <summary>The device names to measure; set by <see cref="Program"/> before BenchmarkDotNet reads the parameters.</summary>
    public static IReadOnlyList<string> Names { get; private set; } = ["cpu"];

    /// <summary>Every device ILGPU finds and accepts, as <c>cuda:i</c> / <c>opencl:i</c>.</summary>
    public static IReadOnlyList<string> Found()
    {
        try
        {
            return [.. GpuDevices.List().Where(d => d.Supported).Select(d => $"{d.Kind}:{d.Index}")];
        }
        catch (GpuUnavailableException e)
        {
            Console.WriteLine($"GPU devices could not be listed: {e.Message}");
            return [];
        }
    }

    /// <summary>
    /// Chooses the devices: <paramref name="requested"/> (comma-separated) or <c>cpu</c> plus every device found; a device
    /// that does not open is dropped with the reason printed. Returns the chosen names.
    /// </summary>
    public static IReadOnlyList<string> Choose(string? requested)
    {
        var names = requested is null
            ? ["cpu", .. Found()]
            : requested.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var ok = new List<string>();
        foreach (var name in names)
        {
            try
            {
                Open(name);
                ok.Add(name);
            }
            catch (Exception e) when (e is GpuUnavailableException or ArgumentException)
            {
                Console.WriteLine($"device {name} skipped: {e.Message}");
            }
        }
        if (!ok.Any(n => n != "cpu"))
            Console.WriteLine("no GPU device: GPU rows skipped (found none that ILGPU accepts; pass --devices cpu,ilgpu-cpu to run the GPU kernels on ILGPU's CPU accelerator, slowly)");
        Names = ok;
        return ok;
    }

    /// <summary>The device called <paramref name="name"/>: <c>cpu</c>, <c>cuda:i</c>, <c>opencl:i</c> or <c>ilgpu-cpu</c>.</summary>
    public static Device Open(string name)
    {
        var parts = name.Split(':');
        int index = parts.Length == 2 && int.TryParse(parts[1], out int i) ? i : 0;
        return parts[0] switch
        {
            "cpu" => Device.Cpu,
            "cuda" => GpuDevices.Cuda(index),
            "opencl" => GpuDevices.OpenCL(index),
            "ilgpu-cpu" => GpuDevices.IlgpuCpu(),
            _ => throw new ArgumentException($"unknown device '{name}': use cpu, cuda:N, opencl:N or ilgpu-cpu"),
        };
    }
}
