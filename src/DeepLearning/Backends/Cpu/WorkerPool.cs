namespace DeepLearning.Backends.Cpu;

/// <summary>
/// The CPU backend's helper threads: <c>ProcessorCount − 1</c> persistent background threads, started on the first
/// split call, that join the caller on a <see cref="ParallelJob"/>. The caller always works too; it posts the job to
/// helpers that are idle right now (none idle — another caller has them — means it runs every part itself) and
/// waits only for helpers that actually started. Nothing here allocates per call: jobs are cached per thread,
/// bodies are structs, waits block on semaphores after a short spin, never spin against the other core for long.
/// </summary>
internal static class WorkerPool
{
    // > 0 on helper threads and while a caller runs parts: a split call from inside a part runs inline, so nested
    // use cannot deadlock and never reuses the (busy) cached job of its own thread.
    [ThreadStatic] private static int t_depth;

    private static readonly Lock StartLock = new();
    private static Worker[]? s_workers;

    /// <summary>How many helper threads exist (or will, on first use) besides the caller.</summary>
    public static int HelperCount { get; } = Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>
    /// Whether a split call from this thread may use helpers: there are some, and the thread is neither a helper nor
    /// inside a part. Callers that cannot split run their work inline instead of building a job.
    /// </summary>
    public static bool CanSplit => HelperCount > 0 && t_depth == 0;

    /// <summary>
    /// Runs <paramref name="body"/>.Execute(p) for every p in [0, <paramref name="parts"/>), each exactly once, on the
    /// calling thread and at most <paramref name="maxThreads"/> − 1 helpers; returns when all are done. The first
    /// exception a part throws is rethrown here (after every started part has finished).
    /// </summary>
    public static void Run<TBody>(int parts, in TBody body, int maxThreads = int.MaxValue) where TBody : struct, IPartBody
    {
        int helpers = Math.Min(Math.Min(parts, maxThreads) - 1, HelperCount);
        if (helpers <= 0 || t_depth != 0)
        {
            RunInline(parts, body);
            return;
        }
        var job = PartJob<TBody>.For(body);
        job.Open(parts);
        t_depth++;
        try
        {
            Post(job, helpers);
            job.Drain();
        }
        finally
        {
            t_depth--;
            job.Close();
        }
    }

    private static void RunInline<TBody>(int parts, TBody body) where TBody : struct, IPartBody
    {
        t_depth++;
        try
        {
            for (int p = 0; p < parts; p++) body.Execute(p);
        }
        finally
        {
            t_depth--;
        }
    }

    /// <summary>Hands <paramref name="job"/> to up to <paramref name="count"/> idle helpers.</summary>
    private static void Post(ParallelJob job, int count)
    {
        var workers = s_workers ?? Start();
        // Start the scan at a per-thread place so concurrent callers do not all contend for helper 0.
        int start = Environment.CurrentManagedThreadId;
        for (int i = 0; i < workers.Length && count > 0; i++)
            if (workers[(start + i) % workers.Length].TryPost(job)) count--;
    }

    private static Worker[] Start()
    {
        lock (StartLock)
        {
            if (s_workers is { } started) return started;
            var workers = new Worker[HelperCount];
            for (int i = 0; i < workers.Length; i++) workers[i] = new Worker(i + 1);
            Volatile.Write(ref s_workers, workers);
            return workers;
        }
    }

    /// <summary>One helper thread: sleeps on its semaphore until a job is posted, joins it, becomes idle again.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private ParallelJob? _job;
        // 0 idle, 1 posted or working: a caller claims a helper by swapping 0 → 1.
        private int _busy;

        public Worker(int number)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"DeepLearning CPU helper {number}" };
            thread.Start();
        }

        public bool TryPost(ParallelJob job)
        {
            if (Volatile.Read(ref _busy) != 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
            _job = job;
            _wake.Release();
            return true;
        }

        private void Loop()
        {
            t_depth = 1;
            while (true)
            {
                _wake.Wait();
                var job = _job!;
                _job = null;
                if (!job.TryEnter())
                {
                    // The caller finished without us: nothing to join.
                    Volatile.Write(ref _busy, 0);
                    continue;
                }
                job.Drain();
                // Idle before leaving: the caller released by Leave may post its next job at once, and must find us free.
                Volatile.Write(ref _busy, 0);
                job.Leave();
            }
        }
    }
}
