using System.Runtime.ExceptionServices;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// One split piece of work for <see cref="WorkerPool"/>: parts 0 … n−1, each taken exactly once, through an atomic
/// counter, by whichever thread asks first (the caller and any helpers that join). A job object is reused run after
/// run, so a run allocates nothing.
/// </summary>
/// <remarks>
/// The join protocol, in one word <c>_state</c>: the high bit says the run is closed, the rest counts the helpers
/// inside it. A helper enters only while the run is open; the caller, once no part is left to take, closes the run
/// and waits only if helpers are still inside — so a helper that wakes late finds the run closed and never makes
/// the caller wait. The last helper to leave a closed run releases the caller.
/// </remarks>
internal abstract class ParallelJob
{
    private const int Closed = 1 << 30;

    // Starts closed: a helper holding a stale reference cannot enter before the first run opens.
    private int _state = Closed;
    private int _parts;
    private int _next;
    private ExceptionDispatchInfo? _error;
    private readonly SemaphoreSlim _joined = new(0);

    /// <summary>Runs part <paramref name="part"/> (0 ≤ part &lt; the part count of the current run).</summary>
    protected abstract void Execute(int part);

    /// <summary>Prepares a run of <paramref name="parts"/> parts and opens it to helpers; the job must be idle.</summary>
    internal void Open(int parts)
    {
        _parts = parts;
        _next = 0;
        _error = null;
        // A full fence after the fields: a helper that sees the run open sees this run's parts and data.
        Interlocked.Exchange(ref _state, 0);
    }

    /// <summary>A helper joins the run, unless it is already closed.</summary>
    internal bool TryEnter()
    {
        int s = Volatile.Read(ref _state);
        while ((s & Closed) == 0)
        {
            int seen = Interlocked.CompareExchange(ref _state, s + 1, s);
            if (seen == s) return true;
            s = seen;
        }
        return false;
    }

    /// <summary>A helper that entered leaves; the last one out of a closed run releases the caller.</summary>
    internal void Leave()
    {
        if (Interlocked.Decrement(ref _state) == Closed) _joined.Release();
    }

    /// <summary>Takes and runs parts until none is left. A part that throws is recorded and stops the handing out.</summary>
    internal void Drain()
    {
        int p;
        while ((p = Interlocked.Increment(ref _next) - 1) < _parts)
        {
            try
            {
                Execute(p);
            }
#pragma warning disable CA1031 // Any exception of a part is handed to the caller, rethrown there.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
                Volatile.Write(ref _next, _parts);
            }
        }
    }

    /// <summary>
    /// Closes the run, waits (blocking after a short spin) for the helpers inside it, then rethrows the first
    /// exception a part threw, if any. Afterwards no thread touches the run.
    /// </summary>
    internal void Close()
    {
        if ((Interlocked.Or(ref _state, Closed) & ~Closed) != 0) _joined.Wait();
        var error = _error;
        _error = null;
        Finished();
        error?.Throw();
    }

    /// <summary>Called once the run is over, before any rethrow: drop references to the run's data.</summary>
    protected virtual void Finished() { }
}

/// <summary>The work of one split call: <see cref="Execute"/> runs one part; a struct, copied into a reused job.</summary>
internal interface IPartBody
{
    /// <summary>Runs part <paramref name="part"/>.</summary>
    void Execute(int part);
}

/// <summary>A <see cref="ParallelJob"/> around a body struct; one cached instance per thread and body type.</summary>
internal sealed class PartJob<TBody> : ParallelJob where TBody : struct, IPartBody
{
    [ThreadStatic] private static PartJob<TBody>? t_cached;

    private TBody _body;

    /// <summary>This thread's job for <typeparamref name="TBody"/>, holding a copy of <paramref name="body"/>.</summary>
    public static PartJob<TBody> For(in TBody body)
    {
        var job = t_cached ??= new PartJob<TBody>();
        job._body = body;
        return job;
    }

    protected override void Execute(int part) => _body.Execute(part);

    // The body holds the caller's arrays; a cached job must not keep them alive.
    protected override void Finished() => _body = default;
}
