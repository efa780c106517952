using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DeepLearning.Distributed;

/// <summary>
/// The processes of an <c>mpirun</c> job (MPI's world) as an <see cref="ICommunicator"/>, over Open MPI
/// (<c>libmpi.so.40</c>, loaded on first use). Usually made by <see cref="Communicator.FromEnvironment"/>.
/// </summary>
/// <remarks>
/// <para>Tensors in host memory (<see cref="Device.Cpu"/>) are reduced in place; a tensor on another device is copied to
/// the host, reduced there and copied back (for CUDA tensors <c>NcclCommunicator</c> of the GPU package is the fast path).</para>
/// <para>Every collective is started non-blocking and waited for by polling, at most <see cref="Timeout"/>. When that
/// passes, this rank asks each peer where it is; the ones that do not answer (hung, busy outside the communicator, or
/// dead) are named in the <see cref="CommunicatorTimeoutException"/>, and the communicator is then faulted: MPI cannot
/// cancel a started collective, so the tensor it was given may still be written by a late peer.</para>
/// <para>Failure ends the whole job, as MPI intends: <see cref="Dispose"/> of a faulted communicator, and an unhandled
/// exception on any rank while a communicator is open, call <c>MPI_Abort</c>, and <c>mpirun</c> then stops every rank.
/// A rank killed by a signal, or exiting with a non-zero code, makes <c>mpirun</c> stop the others too. A rank that exits
/// normally without disposing finalizes MPI at process exit. A rank that catches an exception and disposes normally
/// finalizes, which waits for the others: they time out naming it, then abort the job.</para>
/// <para>MPI allows one initialisation per process: one <see cref="MpiCommunicator"/> at a time, and none after one was
/// disposed. Its methods may be called from any thread (MPI is initialised with <c>MPI_THREAD_SERIALIZED</c>, and the
/// communicator serialises its calls), but every rank must call the same collectives in the same order.</para>
/// </remarks>
public sealed unsafe partial class MpiCommunicator : ICommunicator
{
    private static readonly Lock StaticGate = new();
    private static MpiCommunicator? _open;
    private static bool _finalized;

    private readonly MpiLibrary _mpi;
    private readonly Lock _gate = new();
    private IntPtr _comm;
    private TimeSpan _timeout = TimeSpan.FromMinutes(5);
    private bool _disposed;
    private string? _fault;

    /// <summary>Initialises MPI (once per process) and joins the world of the job this process was started in.</summary>
    /// <param name="timeout">How long a collective may wait for the other ranks; default 5 minutes. See <see cref="Timeout"/>.</param>
    /// <exception cref="DllNotFoundException">Open MPI's <c>libmpi.so.40</c> is missing (the message says what to install).</exception>
    /// <exception cref="InvalidOperationException">An MpiCommunicator is already open in this process, or MPI was already
    /// finalized here; or MPI reported an error.</exception>
    public MpiCommunicator(TimeSpan? timeout = null)
    {
        if (timeout is { } t) Timeout = t;
        lock (StaticGate)
        {
            if (_open is not null)
                throw new InvalidOperationException($"MPI: an MpiCommunicator (rank {_open.Rank} of {_open.WorldSize}) is already open in this process; MPI is initialised once per process, so use that one");
            if (_finalized)
                throw new InvalidOperationException("MPI: a disposed MpiCommunicator finalized MPI in this process, and MPI cannot be initialised twice in one process");
            _mpi = MpiLibrary.Load();
            int initialized = 0, provided = 0;
            _mpi.Check(_mpi.Initialized(&initialized), "MPI_Initialized");
            if (initialized == 0)
                _mpi.Check(_mpi.InitThread(null, IntPtr.Zero, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");
            // Errors come back as codes (thrown with MPI's text) instead of MPI's default of aborting the job on the spot.
            _mpi.Check(_mpi.CommSetErrhandler(_mpi.CommWorld, _mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
            IntPtr comm;
            // A private copy of the world keeps this communicator's messages apart from any other MPI use in the process.
            _mpi.Check(_mpi.CommDup(_mpi.CommWorld, &comm), "MPI_Comm_dup");
            _comm = comm;
            int rank = -1, size = 0;
            _mpi.Check(_mpi.CommRank(_comm, &rank), "MPI_Comm_rank");
            _mpi.Check(_mpi.CommSize(_comm, &size), "MPI_Comm_size");
            if (size < 1 || rank < 0 || rank >= size)
                throw new InvalidOperationException($"MPI: the library reported rank {rank} of a world of {size}; expected 0 ≤ rank < size and size ≥ 1");
            Rank = rank;
            WorldSize = size;
            Name = $"MPI ({_mpi.Version()})";
            _replies = new int[2 * size];
            _open = this;
            AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int WorldSize { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>
    /// How long a collective waits for the other ranks before it throws <see cref="CommunicatorTimeoutException"/>
    /// naming the ranks that did not answer; default 5 minutes (PyTorch's default for its process groups is 30).
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits forever. Set it the same on every rank.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative (other than infinite).</exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = CollectiveChecks.Timeout(value, "MpiCommunicator.Timeout");
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="CommunicatorTimeoutException">Some rank did not join within <see cref="Timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The communicator is disposed or faulted, or MPI reported an error.</exception>
    public void AllReduce(Tensor tensor, ReduceOperation operation)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CollectiveChecks.Reduction(operation);
        OnHost(tensor, Operation.AllReduce, (data, count, request) =>
            _mpi.Iallreduce(MpiLibrary.InPlace, data, count, _mpi.Float, _mpi.OpSum, _comm, request),
            data => { if (operation == ReduceOperation.Average) TensorPrimitives.Divide(data, WorldSize, data); });
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank of this group.</exception>
    /// <exception cref="CommunicatorTimeoutException">Some rank did not join within <see cref="Timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The communicator is disposed or faulted, or MPI reported an error.</exception>
    public void Broadcast(Tensor tensor, int root)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CollectiveChecks.Root(root, WorldSize);
        OnHost(tensor, Operation.Broadcast, (data, count, request) => _mpi.Ibcast(data, count, _mpi.Float, root, _comm, request), null);
    }

    /// <inheritdoc/>
    /// <exception cref="CommunicatorTimeoutException">Some rank did not join within <see cref="Timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The communicator is disposed or faulted, or MPI reported an error.</exception>
    public void Barrier()
    {
        lock (_gate)
        {
            EnsureUsable(Operation.Barrier);
            IntPtr request;
            _mpi.Check(_mpi.Ibarrier(_comm, &request), "MPI_Ibarrier");
            Wait(&request, Operation.Barrier);
        }
    }

    /// <summary>
    /// Ends the whole job now (<c>MPI_Abort</c>): <c>mpirun</c> stops every rank with <paramref name="errorCode"/>. For a
    /// rank that cannot go on and must not leave the others waiting.
    /// </summary>
    public void Abort(int errorCode = 1)
    {
        Console.Error.Flush();
        Console.Out.Flush();
        _mpi.Abort(_mpi.CommWorld, errorCode);
    }

    /// <summary>
    /// Leaves the job: finalizes MPI (a synchronisation with the other ranks), or, when a collective failed, aborts the
    /// job (<see cref="Abort"/>), because finalizing would wait for the rank that failed. Safe to call twice.
    /// </summary>
    public void Dispose()
    {
        lock (StaticGate)
        {
            if (_disposed) return;
            if (_fault is not null)
            {
                Console.Error.WriteLine($"MPI rank {Rank}: aborting the job after a failed collective ({_fault})");
                Abort(1);
            }
            _disposed = true;
            AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            var comm = _comm;
            _comm = IntPtr.Zero;
            _mpi.CommFree(&comm);
            _mpi.Finalize();
            _open = null;
            _finalized = true;
        }
    }

    /// <summary>The collective a rank is in, as sent in answers to a peer's question (see <see cref="Diagnose"/>).</summary>
    internal enum Operation
    {
        None,
        AllReduce,
        Broadcast,
        Barrier,
        NcclAllReduce,
        NcclBroadcast,
    }

    /// <summary>
    /// Starts a collective that another engine runs over this group (NCCL): it is counted as this communicator's own,
    /// so that while its caller waits (calling <see cref="AnswerPeers"/>) peers that ask get a true answer, and a
    /// timeout can be diagnosed by <see cref="TimedOut"/>. <see cref="EndExternal"/> when it completes.
    /// </summary>
    internal void BeginExternal(Operation operation)
    {
        lock (_gate) EnsureUsable(operation);
    }

    internal void EndExternal() => _operation = Operation.None;

    internal void AnswerPeers() => AnswerQuestions();

    /// <summary>Names the silent ranks of a timed-out external collective, faulting this communicator.</summary>
    internal CommunicatorTimeoutException TimedOut(Operation operation, TimeSpan waited) => Diagnose(operation, waited);

    /// <summary>
    /// Runs a collective on the tensor's host memory in place, or on a host copy of it for tensors on other devices.
    /// The array is pinned by a handle (not a <c>fixed</c> block) so that after a timeout it can stay pinned for good:
    /// the collective MPI still holds may write to it later, and the GC must never move it under MPI.
    /// </summary>
    private void OnHost(Tensor tensor, Operation operation, StartCollective start, SpanAction? finish)
    {
        lock (_gate)
        {
            EnsureUsable(operation);
            bool inPlace = tensor.TryGetHostArray(out var array, out int offset);
            if (!inPlace)
            {
                array = tensor.ToArray();
                offset = 0;
            }
            var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            IntPtr request;
            int code = start((float*)handle.AddrOfPinnedObject() + offset, tensor.Length, &request);
            if (code != MpiLibrary.Success)
            {
                handle.Free();
                // The peers have started theirs and would wait for this rank: the job cannot go on.
                _fault = $"{operation} #{_sequence} could not start: {_mpi.ErrorText(code)}";
                _mpi.Check(code, operation == Operation.AllReduce ? "MPI_Iallreduce" : "MPI_Ibcast");
            }
            // On failure (a timeout) the started collective cannot be cancelled: its memory then stays pinned for good.
            Wait(&request, operation);
            handle.Free();
            var span = array.AsSpan(offset, tensor.Length);
            finish?.Invoke(span);
            if (!inPlace) tensor.CopyFrom(span);
        }
    }

    private delegate int StartCollective(float* data, int count, IntPtr* request);

    private delegate void SpanAction(Span<float> data);

    private void EnsureUsable(Operation operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fault is not null)
            throw new InvalidOperationException($"MPI rank {Rank}: {operation} on a faulted communicator: an earlier collective failed ({_fault}); end the job (Dispose aborts it)");
        _sequence++;
        _operation = operation;
    }

    private static readonly TimeSpan YieldingWait = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Polls <paramref name="request"/> until it completes, answering peers' questions meanwhile, and throws naming the
    /// silent ranks once <see cref="Timeout"/> has passed. Spins briefly, then yields, then (after 100 ms) sleeps 1 ms per
    /// poll, so a rank waiting for a slow peer leaves the core to it (ranks often share cores under <c>--oversubscribe</c>).
    /// </summary>
    private void Wait(IntPtr* request, Operation operation)
    {
        long start = Stopwatch.GetTimestamp();
        for (int polls = 0; ; polls++)
        {
            int done = 0;
            int code = _mpi.Test(request, &done, null);
            if (code != MpiLibrary.Success)
            {
                _fault = $"{operation} #{_sequence}: {_mpi.ErrorText(code)}";
                throw new InvalidOperationException($"MPI rank {Rank}: {operation} failed: {_mpi.ErrorText(code)} (error {code})");
            }
            if (done != 0)
            {
                _operation = Operation.None;
                return;
            }
            AnswerQuestions();
            var waited = Stopwatch.GetElapsedTime(start);
            if (CollectiveChecks.Expired(_timeout, waited))
                throw Diagnose(operation, waited);
            // Open MPI moves a large message in fragments, each only when a rank polls: sleeping between polls caps a
            // 2 MB all-reduce at a fragment per millisecond. So yield (which still hands a shared core to the peer) for
            // the first 100 ms of a wait, and sleep only in waits that long, where a peer is slow anyway.
            if (polls < 200) Thread.SpinWait(50);
            else if (waited < YieldingWait) Thread.Yield();
            else Thread.Sleep(1);
        }
    }

    private static void OnUnhandledException(object sender, UnhandledExceptionEventArgs e)
    {
        var open = _open;
        if (open is null || open._disposed) return;
        Console.Error.WriteLine($"MPI rank {open.Rank}: unhandled exception; aborting the job (MPI_Abort) so the other ranks do not wait for this one:");
        Console.Error.WriteLine(e.ExceptionObject);
        open.Abort(1);
    }

    private static void OnProcessExit(object? sender, EventArgs e) => _open?.Dispose();
}
