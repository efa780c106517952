using System.Runtime.InteropServices;
using DeepLearning.Backends.Ilgpu;

namespace DeepLearning.Distributed;

/// <summary>
/// NCCL (<c>libnccl.so.2</c>) and the one CUDA driver call the NCCL communicator needs beside ILGPU
/// (<c>cuStreamQuery</c>, to wait for a collective with a deadline), bound at run time. NCCL is looked for where the
/// NVIDIA packages and PyTorch's CUDA wheels put it.
/// </summary>
internal sealed unsafe class NcclLibrary
{
    /// <summary>Full path of the NCCL library to load instead of searching.</summary>
    public const string OverrideVariable = "DEEPLEARNING_LIBNCCL";

    /// <summary>The library's standard name.</summary>
    public const string LibraryName = "libnccl.so.2";

    public const int Success = 0;
    public const int InProgress = 7;
    public const int Float32 = 7;
    public const int Sum = 0;
    public const int Average = 4;
    public const int CudaNotReady = 600;
    public const int UniqueIdBytes = 128;

    private static readonly Lock Gate = new();
    private static NcclLibrary? _loaded;

    private NcclLibrary(IntPtr nccl, IntPtr cuda, string path)
    {
        Path = path;
        IntPtr Fn(string name) => NativeLibrary.TryGetExport(nccl, name, out var p) ? p
            : throw new EntryPointNotFoundException($"NCCL: {name} is missing from {path}; NCCL 2.10 or newer is required");
        GetVersion = (delegate* unmanaged<int*, int>)Fn("ncclGetVersion");
        GetUniqueId = (delegate* unmanaged<NcclUniqueId*, int>)Fn("ncclGetUniqueId");
        CommInitRank = (delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, int>)Fn("ncclCommInitRank");
        CommDestroy = (delegate* unmanaged<IntPtr, int>)Fn("ncclCommDestroy");
        CommAbort = (delegate* unmanaged<IntPtr, int>)Fn("ncclCommAbort");
        CommGetAsyncError = (delegate* unmanaged<IntPtr, int*, int>)Fn("ncclCommGetAsyncError");
        AllReduce = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int>)Fn("ncclAllReduce");
        Broadcast = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int>)Fn("ncclBroadcast");
        ErrorString = (delegate* unmanaged<int, IntPtr>)Fn("ncclGetErrorString");
        StreamQuery = (delegate* unmanaged<IntPtr, int>)(NativeLibrary.TryGetExport(cuda, "cuStreamQuery", out var q) ? q
            : throw new EntryPointNotFoundException("CUDA: cuStreamQuery is missing from the driver library"));
    }

    public string Path { get; }

    public delegate* unmanaged<int*, int> GetVersion { get; }
    public delegate* unmanaged<NcclUniqueId*, int> GetUniqueId { get; }
    public delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, int> CommInitRank { get; }
    public delegate* unmanaged<IntPtr, int> CommDestroy { get; }
    public delegate* unmanaged<IntPtr, int> CommAbort { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommGetAsyncError { get; }
    public delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int> AllReduce { get; }
    public delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int> Broadcast { get; }
    public delegate* unmanaged<int, IntPtr> ErrorString { get; }
    public delegate* unmanaged<IntPtr, int> StreamQuery { get; }

    /// <summary>The bound library, loaded on first use (<see cref="Candidates"/>); a failed load is not remembered.</summary>
    /// <exception cref="DllNotFoundException">NCCL or the CUDA driver cannot be loaded (the message says what to install).</exception>
    public static NcclLibrary Load()
    {
        lock (Gate) return _loaded ??= LoadFrom(Candidates());
    }

    /// <summary>Loads the first of <paramref name="candidates"/> that loads, without remembering it.</summary>
    internal static NcclLibrary LoadFrom(IEnumerable<string> candidates)
    {
        var tried = new List<string>();
        IntPtr nccl = IntPtr.Zero;
        string? path = null;
        foreach (var candidate in candidates)
        {
            tried.Add(candidate);
            if (NativeLibrary.TryLoad(candidate, out nccl))
            {
                path = candidate;
                break;
            }
        }
        if (path is null)
            throw new DllNotFoundException(
                $"NCCL: {LibraryName} could not be loaded (tried {string.Join(", ", tried)}). Install NCCL (Debian/Ubuntu with " +
                "NVIDIA's CUDA repository: apt-get install libnccl2; or pip install nvidia-nccl-cu12, which PyTorch's CUDA wheels " +
                $"bring), or set {OverrideVariable} to the full path of libnccl.so.2.");
        IntPtr cuda = IntPtr.Zero;
        if (!NativeLibraries.Candidates("cuda").Any(c => NativeLibrary.TryLoad(c, out cuda)))
            throw new DllNotFoundException($"NCCL: the CUDA driver (libcuda.so.1) could not be loaded; install the NVIDIA driver, or set {NativeLibraries.CudaOverride}");
        return new NcclLibrary(nccl, cuda, path);
    }

    /// <summary>The files tried, in order: the override alone when set, else the standard name and the Python wheels' folders.</summary>
    internal static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } path)
        {
            yield return path;
            yield break;
        }
        yield return LibraryName;
        // nvidia-nccl-cu12 installs nvidia/nccl/lib; the CUDA 13 wheels gather their libraries in nvidia/cu13/lib.
        foreach (var package in new[] { "nccl", "cu13" })
            foreach (var dir in NativeLibraries.PythonNvidiaLibraryFolders(package))
                yield return System.IO.Path.Combine(dir, LibraryName);
    }

    /// <summary>Throws with NCCL's own text for a failed call.</summary>
    public void Check(int result, string call)
    {
        if (result != Success) throw new InvalidOperationException($"NCCL: {call} failed: {ErrorText(result)} (ncclResult {result})");
    }

    public string ErrorText(int result) => Marshal.PtrToStringUTF8(ErrorString(result)) ?? "unknown error";

    /// <summary>The version as "2.27.3" (NCCL codes it as major·10000 + minor·100 + patch since 2.9).</summary>
    public string Version()
    {
        int code = 0;
        if (GetVersion(&code) != Success) return "NCCL";
        return code >= 10000 ? $"{code / 10000}.{code / 100 % 100}.{code % 100}" : $"{code / 1000}.{code / 100 % 10}.{code % 100}";
    }
}

/// <summary>NCCL's <c>ncclUniqueId</c>: 128 opaque bytes that rank 0 makes and every rank passes to <c>ncclCommInitRank</c>.</summary>
[System.Runtime.CompilerServices.InlineArray(NcclLibrary.UniqueIdBytes)]
internal struct NcclUniqueId
{
    private byte _first;
}
