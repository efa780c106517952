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
            if (TryLoad(candidate, out var handle)) return handle;
        return IntPtr.Zero;
    }

    /// <summary>Loads a library by name or path; for cuBLAS by path, loads the cublasLt beside it first.</summary>
    private static bool TryLoad(string candidate, out IntPtr handle)
    {
        if (Path.IsPathRooted(candidate))
        {
            handle = IntPtr.Zero;
            if (!File.Exists(candidate)) return false;
            // cuBLAS needs cublasLt from its own folder, which a folder off the linker's path does not give it: once
            // loaded by full path, the dependency resolves by its soname.
            var file = Path.GetFileName(candidate);
            if (file.StartsWith("libcublas.so", StringComparison.Ordinal))
            {
                var lt = Path.Combine(Path.GetDirectoryName(candidate)!, file.Replace("libcublas", "libcublasLt", StringComparison.Ordinal));
                if (File.Exists(lt)) NativeLibrary.TryLoad(lt, out _);
            }
        }
        return NativeLibrary.TryLoad(candidate, out handle);
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
            if (name == "libcublas.so.12") yield return "libcublas.so.13";
            foreach (var dir in CublasFolders())
            {
                yield return Path.Combine(dir, name);
                // cuBLAS 13 keeps the classic API that ILGPU's V12 binding calls.
                if (name == "libcublas.so.12") yield return Path.Combine(dir, "libcublas.so.13");
            }
        }
    }

    /// <summary>
    /// Loads cuBLAS for our own exports (strided-batched GEMM) in the order ILGPU's V12 binding finds it: the system's
    /// <c>libcublas.so.12</c>, then the candidates above. Returns the handle and the file it came from.
    /// </summary>
    internal static bool TryLoadCublas(out IntPtr handle, out string path)
    {
        foreach (var candidate in Candidates("libcublas.so.12").Prepend("libcublas.so.12"))
        {
            if (TryLoad(candidate, out handle))
            {
                path = candidate;
                return true;
            }
        }
        handle = IntPtr.Zero;
        path = "";
        return false;
    }

    /// <summary>Folders that may hold cuBLAS: Python environments' NVIDIA wheels (CUDA 12's <c>nvidia/cublas/lib</c>, CUDA 13's <c>nvidia/cu13/lib</c>) and the CUDA toolkit.</summary>
    internal static IEnumerable<string> CublasFolders()
    {
        foreach (var dir in PythonNvidiaLibraryFolders("cublas")) yield return dir;
        foreach (var dir in PythonNvidiaLibraryFolders("cu13")) yield return dir;
        foreach (var root in new[] { Environment.GetEnvironmentVariable("CUDA_HOME"), Environment.GetEnvironmentVariable("CUDA_PATH"), "/usr/local/cuda" })
        {
            if (root is not { Length: > 0 }) continue;
            foreach (var lib in new[] { "lib64", "targets/x86_64-linux/lib" })
                if (Directory.Exists(Path.Combine(root, lib))) yield return Path.Combine(root, lib);
        }
    }

    /// <summary><c>nvidia/&lt;package&gt;/lib</c> of the Python environments in reach (PyTorch's CUDA wheels install there).</summary>
    internal static IEnumerable<string> PythonNvidiaLibraryFolders(string package)
    {
        var prefixes = new List<string>();
        foreach (var v in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
            if (Environment.GetEnvironmentVariable(v) is { Length: > 0 } p) prefixes.Add(p);
        // The environment whose python3 is first on PATH (a venv's bin/python3 is a link: its folder, not its target, names the venv).
        foreach (var bin in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(bin, "python3")) && Path.GetDirectoryName(Path.GetFullPath(bin)) is { } env)
            {
                prefixes.Add(env);
                break;
            }
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
