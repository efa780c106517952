using System.Diagnostics;
using System.Runtime.InteropServices;
using DeepLearning.Backends.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DeepLearning.Distributed;

/// <summary>
/// The ranks of an MPI job, one CUDA device each, exchanging tensors through NCCL (<c>libnccl.so.2</c>): all-reduce and
/// broadcast of CUDA tensors run device to device (NVLink, PCIe, InfiniBand) on the device's stream, with no host copy.
/// Bootstrapped by an <see cref="MpiCommunicator"/>, which broadcasts NCCL's unique id from rank 0.
/// </summary>
/// <remarks>
/// <para>Launch one process per GPU (<c>mpirun -np 8 dotnet app.dll</c> on an 8-GPU machine) and give each its own
/// device, e.g. <c>Device.Cuda(rank % devicesPerNode)</c>: NCCL refuses two ranks on one GPU.</para>
/// <para>Tensors on other devices (the CPU) go through the MPI communicator. <see cref="Barrier"/> is MPI's.</para>
/// <para>Each collective is queued on the device's stream after the work before it, and then waited for, at most
/// <see cref="Timeout"/>: a peer that never joins makes the others abort their NCCL communicator and throw
/// <see cref="CommunicatorTimeoutException"/> naming it (found as <see cref="MpiCommunicator"/> finds silent ranks, over
/// MPI), and an error NCCL reports asynchronously (a peer's connection lost) is thrown as it is seen. After either, the
/// communicator is faulted, and so is the MPI communicator: end the job.</para>
/// <para>This communicator does not own <c>bootstrap</c>: dispose this one first, then the MPI one. Calls are serialised;
/// do not use <c>bootstrap</c> from another thread meanwhile.</para>
/// </remarks>
public sealed unsafe class NcclCommunicator : ICommunicator
{
    private readonly MpiCommunicator? _mpi;
    private readonly Device _device;
    private readonly IlgpuBackend _backend;
    private readonly Accelerator _accelerator;
    private readonly NcclLibrary _nccl;
    private readonly Lock _gate = new();
    private IntPtr _comm;
    private TimeSpan _timeout;
    private string? _fault;
    private bool _disposed;

    /// <summary>Joins the NCCL group of <paramref name="bootstrap"/>'s ranks, with this rank on <paramref name="device"/>.</summary>
    /// <param name="bootstrap">The MPI group (every rank calls this constructor at the same point).</param>
    /// <param name="device">A CUDA device (<c>Device.Cuda(i)</c>) of this process.</param>
    /// <exception cref="ArgumentException"><paramref name="device"/> is not a CUDA device.</exception>
    /// <exception cref="DllNotFoundException">NCCL (<c>libnccl.so.2</c>) or the CUDA driver is missing (the message says what to install).</exception>
    /// <exception cref="InvalidOperationException">NCCL reported an error.</exception>
    public NcclCommunicator(MpiCommunicator bootstrap, Device device)
        : this(device, bootstrap ?? throw new ArgumentNullException(nameof(bootstrap)))
    {
    }

    /// <summary>A group of this process alone when <paramref name="bootstrap"/> is null (tests on one GPU), else the MPI job's.</summary>
    internal NcclCommunicator(Device device, MpiCommunicator? bootstrap)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Backend is not IlgpuBackend { Accelerator: CudaAccelerator } backend)
            throw new ArgumentException($"NcclCommunicator: NCCL runs on CUDA devices, and {device.Name} is not one (MpiCommunicator reduces tensors of any device through the host)", nameof(device));
        _device = device;
        _backend = backend;
        _accelerator = backend.Accelerator;
        _mpi = bootstrap;
        _timeout = bootstrap?.Timeout ?? TimeSpan.FromMinutes(5);
        Rank = bootstrap?.Rank ?? 0;
        WorldSize = bootstrap?.WorldSize ?? 1;
        _nccl = NcclLibrary.Load();

        NcclUniqueId id = default;
        if (Rank == 0) _nccl.Check(_nccl.GetUniqueId(&id), "ncclGetUniqueId");
        if (bootstrap is not null)
        {
            // The 128 opaque bytes travel as 32 floats: a broadcast copies bits and does no arithmetic on them.
            var asFloats = MemoryMarshal.Cast<byte, float>((Span<byte>)id);
            using var carrier = Tensor.FromSpan(asFloats, new Shape(asFloats.Length));
            bootstrap.Broadcast(carrier, 0);
            carrier.CopyTo(asFloats);
        }
        // NCCL works in the current CUDA context: the accelerator's.
        _accelerator.Bind();
        IntPtr comm;
        _nccl.Check(_nccl.CommInitRank(&comm, WorldSize, id, Rank), "ncclCommInitRank");
        _comm = comm;
        Name = $"NCCL {_nccl.Version()} on {device.Name}";
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int WorldSize { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The CUDA device this rank's collectives run on.</summary>
    public Device Device => _device;

    /// <summary>How long a collective waits for its peers before throwing; starts as the bootstrap's <see cref="MpiCommunicator.Timeout"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative (other than infinite).</exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = CollectiveChecks.Timeout(value, "NcclCommunicator.Timeout");
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="CommunicatorTimeoutException">Some rank did not join within <see cref="Timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">NCCL or CUDA reported an error, or the communicator is faulted.</exception>
    public void AllReduce(Tensor tensor, ReduceOperation operation)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CollectiveChecks.Reduction(operation);
        if (tensor.Device != _device)
        {
            OffDevice(tensor)?.AllReduce(tensor, operation);
            return;
        }
        int op = operation == ReduceOperation.Sum ? NcclLibrary.Sum : NcclLibrary.Average;
        Run(tensor, MpiCommunicator.Operation.NcclAllReduce, "ncclAllReduce",
            (data, count, stream) => _nccl.AllReduce(data, data, count, NcclLibrary.Float32, op, _comm, stream));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank of this group.</exception>
    /// <exception cref="CommunicatorTimeoutException">Some rank did not join within <see cref="Timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">NCCL or CUDA reported an error, or the communicator is faulted.</exception>
    public void Broadcast(Tensor tensor, int root)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CollectiveChecks.Root(root, WorldSize);
        if (tensor.Device != _device)
        {
            OffDevice(tensor)?.Broadcast(tensor, root);
            return;
        }
        Run(tensor, MpiCommunicator.Operation.NcclBroadcast, "ncclBroadcast",
            (data, count, stream) => _nccl.Broadcast(data, data, count, NcclLibrary.Float32, root, _comm, stream));
    }

    /// <inheritdoc/>
    public void Barrier()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _mpi?.Barrier();
    }

    /// <summary>Destroys the NCCL communicator (aborts it after a failure); the bootstrap MPI communicator stays open.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_comm == IntPtr.Zero) return;
            _accelerator.Bind();
            if (_fault is null) _nccl.CommDestroy(_comm);
            else _nccl.CommAbort(_comm);
            _comm = IntPtr.Zero;
        }
    }

    private ICommunicator? OffDevice(Tensor tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(tensor.IsDisposed, tensor);
        return _mpi;
    }

    private delegate int Enqueue(IntPtr data, nuint count, IntPtr stream);

    /// <summary>Queues the collective on the backend's stream, then waits for the stream with a deadline.</summary>
    private void Run(Tensor tensor, MpiCommunicator.Operation operation, string call, Enqueue enqueue)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_fault is not null)
                throw new InvalidOperationException($"NCCL rank {Rank}: {call} on a faulted communicator: an earlier collective failed ({_fault}); end the job");
            var buffer = (IlgpuBuffer)tensor.Buffer;
            var data = buffer.View.SubView(tensor.Offset, tensor.Length).LoadEffectiveAddressAsPtr();
            var stream = ((CudaStream)_backend.Stream).StreamPtr;
            _accelerator.Bind();
            _mpi?.BeginExternal(operation);
            _nccl.Check(enqueue(data, (nuint)tensor.Length, stream), call);
            long start = Stopwatch.GetTimestamp();
            for (int polls = 0; ; polls++)
            {
                int state = _nccl.StreamQuery(stream);
                if (state == NcclLibrary.Success) break;
                if (state != NcclLibrary.CudaNotReady) Fail($"NCCL rank {Rank}: {call}: CUDA error {state} while waiting for the device's stream");
                int async = NcclLibrary.Success;
                _nccl.CommGetAsyncError(_comm, &async);
                if (async is not (NcclLibrary.Success or NcclLibrary.InProgress))
                    Fail($"NCCL rank {Rank}: {call} failed: {_nccl.ErrorText(async)} (ncclResult {async}); a peer may have failed or lost its connection");
                _mpi?.AnswerPeers();
                var waited = Stopwatch.GetElapsedTime(start);
                if (CollectiveChecks.Expired(_timeout, waited))
                {
                    // Aborting the NCCL communicator releases the kernel that waits for the silent peer, so the stream drains.
                    _nccl.CommAbort(_comm);
                    _comm = IntPtr.Zero;
                    var e = _mpi?.TimedOut(operation, waited)
                        ?? new CommunicatorTimeoutException($"NCCL rank {Rank}: {call} did not complete within {waited.TotalSeconds:0.#} s", []);
                    _fault = e.Message;
                    throw e;
                }
                if (polls < 200) Thread.SpinWait(50);
                else if (polls < 2000) Thread.Yield();
                else Thread.Sleep(1);
            }
            _mpi?.EndExternal();
        }
    }

    private void Fail(string message)
    {
        _fault = message;
        throw new InvalidOperationException(message);
    }
}
