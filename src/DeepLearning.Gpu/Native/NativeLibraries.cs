using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// Finds the CUDA driver and cuBLAS where ILGPU does not look. ILGPU binds <c>[DllImport("cuda")]</c>, which probes
/// <c>libcuda.so</c> only (the unversioned name exists only with development packages; drivers install
/// <c>libcuda.so.1</c>), and cuBLAS as <c>libcublas.so.10–12</c> on the default search path only (not PyTorch's wheel
/// folders). The resolver runs only after the default probing failed, so a library the system finds wins.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Full path of the CUDA driver library to use instead of searching.</summary>
    public const string CudaOverride = "DEEPLEARNING_LIBCUDA";

    /// <summary>Full path of the cuBLAS library to use instead of searching.</summary>
    public const string CublasOverride = "DEEPLEARNING_LIBCUBLAS";

    private static int _registered;

    /// <summary>Hooks the resolver into the default load context once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0) AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
    }

    internal static IntPtr Resolve(Assembly assembly, string name)
    {
        foreach (var candidate in Candidates(name))
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        return IntPtr.Zero;
    }

    /// <summary>The files tried, in order, for a library name as ILGPU asks for it.</summary>
    internal static IEnumerable<string> Candidates(string name)
    {
        if (name is "cuda" or "libcuda" or "libcuda.so")
        {
            if (Environment.GetEnvironmentVariable(CudaOverride) is { Length: > 0 } path) yield return path;
            yield return "libcuda.so.1";
            // WSL keeps the driver outside the linker's path.
            yield return "/usr/lib/wsl/lib/libcuda.so.1";
        }
        else if (name.StartsWith("libcublas.so", StringComparison.Ordinal))
        {
            if (Environment.GetEnvironmentVariable(CublasOverride) is { Length: > 0 } path) yield return path;
            foreach (var dir in PythonNvidiaLibraryFolders("cublas"))
            {
                yield return Path.Combine(dir, name);
                // cuBLAS 13 keeps the classic API that ILGPU's V12 binding calls (unverified on a GPU).
                if (name == "libcublas.so.12") yield return Path.Combine(dir, "libcublas.so.13");
            }
        }
    }

    /// <summary><c>nvidia/&lt;package&gt;/lib</c> of the Python environments in reach (PyTorch's CUDA wheels install there).</summary>
    internal static IEnumerable<string> PythonNvidiaLibraryFolders(string package)
    {
        var prefixes = new List<string>();
        foreach (var v in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
            if (Environment.GetEnvironmentVariable(v) is { Length: > 0 } p) prefixes.Add(p);
        prefixes.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local"));
        prefixes.Add("/usr/local");
        prefixes.Add("/usr");
        foreach (var prefix in prefixes)
        {
            var lib = Path.Combine(prefix, "lib");
            if (!Directory.Exists(lib)) continue;
            string[] pythons;
            try
            {
                pythons = Directory.GetDirectories(lib, "python3*");
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var python in pythons)
                foreach (var site in new[] { "site-packages", "dist-packages" })
                {
                    var dir = Path.Combine(python, site, "nvidia", package, "lib");
                    if (Directory.Exists(dir)) yield return dir;
                }
        }
    }
}
