using System.Runtime.InteropServices;

namespace DeepLearning.Distributed;

/// <summary>
/// Open MPI's C API (<c>libmpi.so.40</c>, Open MPI 4 and 5), bound at run time. Open MPI's handles are the addresses of
/// exported globals (<c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>), so they are looked up, not hard-coded as
/// MPICH-family integer handles are; MPICH's <c>libmpi.so.12</c> has another ABI and is not bound.
/// </summary>
/// <remarks>
/// The library is opened with <c>dlopen(RTLD_NOW | RTLD_GLOBAL)</c>: Open MPI loads its components (<c>mca_*.so</c>) as
/// plugins that resolve symbols of <c>libmpi</c> and <c>libopen-pal</c> globally, which the runtime's default local
/// loading would hide from them.
/// </remarks>
internal sealed unsafe class MpiLibrary
{
    /// <summary>Full path of the MPI library to load instead of searching (tests point it at a missing file).</summary>
    public const string OverrideVariable = "DEEPLEARNING_LIBMPI";

    /// <summary>The library's standard name.</summary>
    public const string LibraryName = "libmpi.so.40";

    public const int Success = 0;
    public const int AnySource = -1;
    public const int ThreadSerialized = 2;
    public static readonly IntPtr InPlace = 1;

    private static readonly Lock Gate = new();
    private static MpiLibrary? _loaded;

    private MpiLibrary(IntPtr handle, string path)
    {
        Path = path;
        IntPtr Fn(string name) => Export(handle, name);
        CommWorld = Export(handle, "ompi_mpi_comm_world");
        Float = Export(handle, "ompi_mpi_float");
        Int = Export(handle, "ompi_mpi_int");
        OpSum = Export(handle, "ompi_mpi_op_sum");
        ErrorsReturn = Export(handle, "ompi_mpi_errors_return");
        InitThread = (delegate* unmanaged<int*, IntPtr, int, int*, int>)Fn("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Fn("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Fn("MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Fn("MPI_Finalize");
        Abort = (delegate* unmanaged<IntPtr, int, int>)Fn("MPI_Abort");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)Fn("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)Fn("MPI_Comm_size");
        CommDup = (delegate* unmanaged<IntPtr, IntPtr*, int>)Fn("MPI_Comm_dup");
        CommFree = (delegate* unmanaged<IntPtr*, int>)Fn("MPI_Comm_free");
        CommSetErrhandler = (delegate* unmanaged<IntPtr, IntPtr, int>)Fn("MPI_Comm_set_errhandler");
        Iallreduce = (delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, IntPtr*, int>)Fn("MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, IntPtr*, int>)Fn("MPI_Ibcast");
        Ibarrier = (delegate* unmanaged<IntPtr, IntPtr*, int>)Fn("MPI_Ibarrier");
        Test = (delegate* unmanaged<IntPtr*, int*, MpiStatus*, int>)Fn("MPI_Test");
        Iprobe = (delegate* unmanaged<int, int, IntPtr, int*, MpiStatus*, int>)Fn("MPI_Iprobe");
        Recv = (delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, MpiStatus*, int>)Fn("MPI_Recv");
        Isend = (delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, IntPtr*, int>)Fn("MPI_Isend");
        Irecv = (delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, IntPtr*, int>)Fn("MPI_Irecv");
        Cancel = (delegate* unmanaged<IntPtr*, int>)Fn("MPI_Cancel");
        RequestFree = (delegate* unmanaged<IntPtr*, int>)Fn("MPI_Request_free");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Fn("MPI_Error_string");
        GetLibraryVersion = (delegate* unmanaged<byte*, int*, int>)Fn("MPI_Get_library_version");
    }

    /// <summary>The file that was loaded.</summary>
    public string Path { get; }

    public IntPtr CommWorld { get; }
    public IntPtr Float { get; }
    public IntPtr Int { get; }
    public IntPtr OpSum { get; }
    public IntPtr ErrorsReturn { get; }

    public delegate* unmanaged<int*, IntPtr, int, int*, int> InitThread { get; }
    public delegate* unmanaged<int*, int> Initialized { get; }
    public delegate* unmanaged<int*, int> Finalized { get; }
    public delegate* unmanaged<int> Finalize { get; }
    public delegate* unmanaged<IntPtr, int, int> Abort { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommRank { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommSize { get; }
    public delegate* unmanaged<IntPtr, IntPtr*, int> CommDup { get; }
    public delegate* unmanaged<IntPtr*, int> CommFree { get; }
    public delegate* unmanaged<IntPtr, IntPtr, int> CommSetErrhandler { get; }
    public delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, IntPtr*, int> Iallreduce { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, IntPtr, IntPtr*, int> Ibcast { get; }
    public delegate* unmanaged<IntPtr, IntPtr*, int> Ibarrier { get; }
    public delegate* unmanaged<IntPtr*, int*, MpiStatus*, int> Test { get; }
    public delegate* unmanaged<int, int, IntPtr, int*, MpiStatus*, int> Iprobe { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, MpiStatus*, int> Recv { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, IntPtr*, int> Isend { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, IntPtr*, int> Irecv { get; }
    public delegate* unmanaged<IntPtr*, int> Cancel { get; }
    public delegate* unmanaged<IntPtr*, int> RequestFree { get; }
    public delegate* unmanaged<int, byte*, int*, int> ErrorString { get; }
    public delegate* unmanaged<byte*, int*, int> GetLibraryVersion { get; }

    /// <summary>
    /// The bound library, loaded on first use. A failed load is not remembered, so a later call after installing (or
    /// after changing <see cref="OverrideVariable"/>) tries again.
    /// </summary>
    /// <exception cref="DllNotFoundException">No loadable Open MPI library: the message names it and the packages to install.</exception>
    public static MpiLibrary Load()
    {
        lock (Gate)
        {
            if (_loaded is not null) return _loaded;
            var failures = new List<string>();
            foreach (var candidate in Candidates())
            {
                var handle = DlOpen(candidate, out string? error);
                if (handle == IntPtr.Zero)
                {
                    failures.Add($"{candidate}: {error}");
                    continue;
                }
                if (!NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
                {
                    failures.Add($"{candidate}: loaded, but it is not Open MPI (no ompi_mpi_comm_world)");
                    continue;
                }
                return _loaded = new MpiLibrary(handle, candidate);
            }
            throw new DllNotFoundException(
                $"MPI: the Open MPI library {LibraryName} could not be loaded ({string.Join("; ", failures)}). Install Open MPI " +
                $"(Debian/Ubuntu: apt-get install libopenmpi3 openmpi-bin; newer releases name the library package libopenmpi40), " +
                $"or set {OverrideVariable} to the full path of libmpi.so.40.");
        }
    }

    /// <summary>The files tried, in order: the override alone when set, else the standard name and Debian's folder.</summary>
    internal static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } path)
        {
            yield return path;
            yield break;
        }
        yield return LibraryName;
        yield return "/usr/lib/x86_64-linux-gnu/openmpi/lib/libmpi.so.40";
        yield return "/usr/lib/aarch64-linux-gnu/openmpi/lib/libmpi.so.40";
    }

    /// <summary>Throws with MPI's own text for a failed call.</summary>
    public void Check(int code, string call)
    {
        if (code != Success) throw new InvalidOperationException($"MPI: {call} failed: {ErrorText(code)} (error {code})");
    }

    public string ErrorText(int code)
    {
        var text = stackalloc byte[512];
        int length = 0;
        return ErrorString(code, text, &length) == Success ? Marshal.PtrToStringUTF8((IntPtr)text, length) : "unknown error";
    }

    /// <summary>The first line of <c>MPI_Get_library_version</c>, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, …".</summary>
    public string Version()
    {
        var text = stackalloc byte[8192];
        int length = 0;
        if (GetLibraryVersion(text, &length) != Success) return "Open MPI";
        var full = Marshal.PtrToStringUTF8((IntPtr)text, length);
        int comma = full.IndexOf(',', StringComparison.Ordinal);
        return (comma > 0 ? full[..comma] : full).Trim();
    }

    private static IntPtr Export(IntPtr handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out var address) ? address
            : throw new EntryPointNotFoundException($"MPI: {name} is missing from the loaded MPI library; Open MPI 4 or newer is required");

    private static IntPtr DlOpen(string file, out string? error)
    {
        const int RtldNow = 2, RtldGlobal = 0x100;
        // glibc 2.34 and later keep dlopen in libc.so.6; older ones in libdl.so.2 (still present as a stub on newer ones).
        if ((NativeLibrary.TryLoad("libc.so.6", out var libc) || NativeLibrary.TryLoad("libdl.so.2", out libc))
            && NativeLibrary.TryGetExport(libc, "dlopen", out var open) && NativeLibrary.TryGetExport(libc, "dlerror", out var lastError))
        {
            var name = Marshal.StringToCoTaskMemUTF8(file);
            try
            {
                var handle = ((delegate* unmanaged<IntPtr, int, IntPtr>)open)(name, RtldNow | RtldGlobal);
                error = handle == IntPtr.Zero ? Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr>)lastError)()) : null;
                return handle;
            }
            finally
            {
                Marshal.FreeCoTaskMem(name);
            }
        }
        // Not glibc: the runtime's loader, without RTLD_GLOBAL, is the best left.
        if (NativeLibrary.TryLoad(file, out var h))
        {
            error = null;
            return h;
        }
        error = "cannot be loaded";
        return IntPtr.Zero;
    }
}

/// <summary>Open MPI's <c>MPI_Status</c> (source, tag, error, then private fields).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MpiStatus
{
    public int Source;
    public int Tag;
    public int Error;
    public int Cancelled;
    public nuint Count;
}
