using System.Runtime.InteropServices;
using DeepLearning.Backends.Ilgpu;

namespace DeepLearning.Gpu.Tests.Native;

/// <summary>The resolver for the names ILGPU asks for (libcuda.so, libcublas.so.12), with a real library under a fake name.</summary>
public sealed class NativeLibrariesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dl-native-").FullName;
    private readonly Dictionary<string, string?> _saved = [];

    /// <summary>Any loadable shared library stands in for the driver: the resolver only has to load the file it names.</summary>
    private static string RealLibrary() =>
        new[] { "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libz.so.1" }
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("no shared library found to stand in for a driver");

    private void SetEnv(string name, string? value)
    {
        if (!_saved.ContainsKey(name)) _saved[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        foreach (var (k, v) in _saved) Environment.SetEnvironmentVariable(k, v);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Cuda_is_looked_up_as_the_override_then_libcuda_so_1()
    {
        SetEnv(NativeLibraries.CudaOverride, "/opt/x/libcuda.so.1");
        Assert.Equal(["/opt/x/libcuda.so.1", "libcuda.so.1", "/usr/lib/wsl/lib/libcuda.so.1"], NativeLibraries.Candidates("cuda"));
        SetEnv(NativeLibraries.CudaOverride, null);
        Assert.Equal("libcuda.so.1", NativeLibraries.Candidates("cuda").First());
        Assert.Empty(NativeLibraries.Candidates("libfoo.so"));
    }

    [Fact]
    public void The_override_path_resolves_the_driver()
    {
        var fake = Path.Combine(_dir, "libcuda.so.1");
        File.Copy(RealLibrary(), fake);
        SetEnv(NativeLibraries.CudaOverride, fake);
        Assert.NotEqual(IntPtr.Zero, NativeLibraries.Resolve(typeof(NativeLibrariesTests).Assembly, "cuda"));
        SetEnv(NativeLibraries.CudaOverride, Path.Combine(_dir, "absent.so"));
        // Falls through to the system's libcuda.so.1, which this test machine may or may not have; the override alone must not load.
        Assert.DoesNotContain(NativeLibraries.Candidates("cuda"), c => c == fake);
    }

    [Fact]
    public void Cublas_is_found_in_a_python_environments_nvidia_wheel_folder()
    {
        var lib = Path.Combine(_dir, "lib", "python3.12", "site-packages", "nvidia", "cublas", "lib");
        Directory.CreateDirectory(lib);
        File.Copy(RealLibrary(), Path.Combine(lib, "libcublas.so.12"));
        SetEnv("VIRTUAL_ENV", _dir);
        SetEnv(NativeLibraries.CublasOverride, null);
        Assert.Contains(Path.Combine(lib, "libcublas.so.12"), NativeLibraries.Candidates("libcublas.so.12"));
        Assert.NotEqual(IntPtr.Zero, NativeLibraries.Resolve(typeof(NativeLibrariesTests).Assembly, "libcublas.so.12"));
        Assert.Equal(IntPtr.Zero, NativeLibraries.Resolve(typeof(NativeLibrariesTests).Assembly, "libcublas.so.11"));
    }

    [Fact]
    public void Cublas_13_is_found_in_the_cu13_wheel_of_the_python_first_on_the_path()
    {
        // CUDA 13 wheels put every library in nvidia/cu13/lib; the venv is found from its bin/python3 on PATH.
        var bin = Path.Combine(_dir, "venv", "bin");
        var lib = Path.Combine(_dir, "venv", "lib", "python3.12", "site-packages", "nvidia", "cu13", "lib");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(lib);
        File.WriteAllText(Path.Combine(bin, "python3"), "");
        File.Copy(RealLibrary(), Path.Combine(lib, "libcublas.so.13"));
        SetEnv("PATH", bin + ":" + Environment.GetEnvironmentVariable("PATH"));
        SetEnv("VIRTUAL_ENV", null);
        SetEnv(NativeLibraries.CublasOverride, null);
        var candidates = NativeLibraries.Candidates("libcublas.so.12").ToList();
        Assert.Contains(Path.Combine(lib, "libcublas.so.13"), candidates);
        Assert.True(NativeLibraries.TryLoadCublas(out var handle, out var path));
        Assert.NotEqual(IntPtr.Zero, handle);
        // A cuBLAS the system's linker finds comes first (as for ILGPU's own binding); else the wheel's.
        if (!NativeLibrary.TryLoad("libcublas.so.12", out _) && !NativeLibrary.TryLoad("libcublas.so.13", out _))
            Assert.Equal(Path.Combine(lib, "libcublas.so.13"), path);
    }
}
