using DeepLearning.Distributed;

namespace DeepLearning.Tests.Distributed;

/// <summary>
/// A test-only communicator: N ranks as N threads of this process, exchanging through shared arrays between barrier
/// phases. Sums run in rank order on every rank, so all ranks get the same bits (as MPI's and NCCL's ring all-reduce
/// do). Every wait is bounded, and a rank that throws cancels the others' waits, so a broken test fails instead of hanging.
/// </summary>
internal sealed class ThreadCommunicator(ThreadGroup group, int rank) : ICommunicator
{
    public int Rank { get; } = rank;

    public int WorldSize => group.WorldSize;

    public string Name => "threads";

    /// <summary>Collectives this rank has called.</summary>
    public int Calls { get; private set; }

    public void AllReduce(Tensor tensor, ReduceOperation operation)
    {
        Calls++;
        var mine = tensor.ToArray();
        var all = group.Exchange(Rank, mine, "AllReduce");
        var result = new float[mine.Length];
        foreach (var values in all)
        {
            if (values.Length != mine.Length)
                throw new InvalidOperationException($"ThreadCommunicator.AllReduce: rank {Rank} passed {mine.Length} elements, another rank {values.Length}");
            for (int i = 0; i < result.Length; i++) result[i] += values[i];
        }
        if (operation == ReduceOperation.Average)
            for (int i = 0; i < result.Length; i++) result[i] /= WorldSize;
        group.Wait(Rank, "AllReduce");   // nobody refills the slots before every rank has read them
        tensor.CopyFrom(result);
    }

    public void Broadcast(Tensor tensor, int root)
    {
        Calls++;
        var all = group.Exchange(Rank, tensor.ToArray(), "Broadcast");
        var values = all[root];
        if (values.Length != tensor.Length)
            throw new InvalidOperationException($"ThreadCommunicator.Broadcast: rank {Rank} passed {tensor.Length} elements, root {root} {values.Length}");
        group.Wait(Rank, "Broadcast");
        tensor.CopyFrom(values);
    }

    public void Barrier()
    {
        Calls++;
        group.Wait(Rank, "Barrier");
    }

    public void Dispose()
    {
    }
}

/// <summary>The shared state of the ranks of a <see cref="ThreadCommunicator"/> group.</summary>
internal sealed class ThreadGroup : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Barrier _barrier;
    private readonly float[][] _slots;
    private readonly CancellationTokenSource _failed = new();

    private ThreadGroup(int worldSize)
    {
        WorldSize = worldSize;
        _barrier = new Barrier(worldSize);
        _slots = new float[worldSize][];
    }

    public int WorldSize { get; }

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="worldSize"/> threads, rank r with its communicator; returns the
    /// ranks' results in rank order, or throws the first exception a rank threw (not the cancellations it caused).
    /// </summary>
    public static T[] Run<T>(int worldSize, Func<ThreadCommunicator, T> body)
    {
        using var group = new ThreadGroup(worldSize);
        var results = new T[worldSize];
        var errors = new Exception?[worldSize];
        var threads = Enumerable.Range(0, worldSize).Select(r => new Thread(() =>
        {
            try
            {
                results[r] = body(new ThreadCommunicator(group, r));
            }
            catch (Exception e)
            {
                errors[r] = e;
                group._failed.Cancel();
            }
        }, 16 << 20)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        var first = errors.FirstOrDefault(e => e is not null and not OperationCanceledException) ?? errors.FirstOrDefault(e => e is not null);
        if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        return results;
    }

    /// <summary>Posts this rank's values, waits for every rank's; returns them all (read them before the next <see cref="Wait"/>).</summary>
    public float[][] Exchange(int rank, float[] values, string operation)
    {
        _slots[rank] = values;
        Wait(rank, operation);
        return _slots;
    }

    /// <summary>Waits for every rank, at most a minute, and not after another rank failed.</summary>
    public void Wait(int rank, string operation)
    {
        if (!_barrier.SignalAndWait(Timeout, _failed.Token))
            throw new TimeoutException($"ThreadCommunicator.{operation}: rank {rank} waited {Timeout.TotalSeconds} s for the other ranks");
    }

    public void Dispose()
    {
        _barrier.Dispose();
        _failed.Dispose();
    }
}
