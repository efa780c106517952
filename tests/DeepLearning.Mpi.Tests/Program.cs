using System.Globalization;
using DeepLearning;
using DeepLearning.Distributed;

// One rank of an MPI test job: `mpirun -np N dotnet DeepLearning.Mpi.Tests.dll CASE [DIR]`. Each rank checks its own
// results against values it computes locally (every rank can generate every other rank's random data from its seed)
// and prints "rank R: ok NAME" or "rank R: FAIL NAME: why"; the exit code is the number of failures. The xunit side
// (tests/DeepLearning.Tests/Distributed/MpiCommunicatorTests.cs) reads these lines.
return args.Length > 0 && Cases.All.TryGetValue(args[0], out var run)
    ? run(args.Length > 1 ? args[1] : Path.GetTempPath())
    : Usage();

static int Usage()
{
    Console.Error.WriteLine($"usage: mpirun -np N dotnet DeepLearning.Mpi.Tests.dll ({string.Join(" | ", Cases.All.Keys)}) [DIR]");
    return 2;
}

internal static partial class Cases
{
    public static readonly Dictionary<string, Func<string, int>> All = new()
    {
        ["collectives"] = Collectives,
        ["dataparallel"] = DataParallelTraining,
        ["timeout"] = Timeout,
        ["throw"] = Throw,
        ["kill"] = Kill,
        ["nccl"] = Nccl,
        ["bench"] = Bench,
        ["bench-dp"] = BenchDataParallel,
    };

    private static int _failures;

    private static void Check(ICommunicator comm, bool condition, string name, string why = "")
    {
        if (condition) Console.WriteLine($"rank {comm.Rank}: ok {name}");
        else
        {
            _failures++;
            Console.WriteLine($"rank {comm.Rank}: FAIL {name}: {why}");
        }
    }

    private static Tensor Data(int length, int rank, int salt, Device? device = null) =>
        Tensor.Uniform(new Shape(length), -1f, 1f, (ulong)(1000 * salt + 17 * rank + length), device);

    /// <summary>Rank and size, all-reduce (sum, average) and broadcast against local expectations, barrier, misuse.</summary>
    private static int Collectives(string dir)
    {
        var comm = Communicator.FromEnvironment(TimeSpan.FromSeconds(60));
        int rank = comm.Rank, size = comm.WorldSize;
        Check(comm, comm is MpiCommunicator && comm.Name.StartsWith("MPI (Open MPI", StringComparison.Ordinal), "kind", comm.Name);
        Check(comm, rank == int.Parse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_RANK")!, CultureInfo.InvariantCulture)
            && size == int.Parse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE")!, CultureInfo.InvariantCulture), "rank-size", $"{rank} of {size}");

        // Open MPI installs signal handlers of its own at MPI_Init; the runtime's (SIGSEGV → NullReferenceException) must survive.
        try
        {
            Check(comm, NullText().Length < 0, "null-reference", "no exception");
        }
        catch (NullReferenceException)
        {
            Check(comm, true, "null-reference");
        }

        foreach (int length in new[] { 1, 7, 1000, 1 << 20 })
            foreach (var op in new[] { ReduceOperation.Sum, ReduceOperation.Average })
            {
                var expected = new float[length];
                for (int r = 0; r < size; r++)
                {
                    var d = Data(length, r, 1).ToArray();
                    for (int i = 0; i < length; i++) expected[i] += d[i];
                }
                if (op == ReduceOperation.Average) for (int i = 0; i < length; i++) expected[i] /= size;
                using var t = Data(length, rank, 1);
                comm.AllReduce(t, op);
                Check(comm, MaxError(t.ToArray(), expected) <= 1e-6f * size, $"allreduce-{op}-{length}", $"max error {MaxError(t.ToArray(), expected)}");
            }

        // A view at an offset into its buffer: only its own elements change.
        using (var whole = Tensor.FromArray(new float[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } }))
        {
            using var middle = whole.Slice(1, 1);
            comm.AllReduce(middle, ReduceOperation.Sum);
            Check(comm, whole.ToArray().SequenceEqual([1f, 2f, 3f * size, 4f * size, 5f, 6f]), "allreduce-view", string.Join(",", whole.ToArray()));
        }

        int root = size - 1;
        using (var b = Data(333, rank, 2))
        {
            comm.Broadcast(b, root);
            Check(comm, MaxError(b.ToArray(), Data(333, root, 2).ToArray()) == 0, "broadcast");
        }

        // A device whose memory is not host memory: the values travel through a host copy.
        var ilgpu = Device.IlgpuCpu();
        using (var g = Data(513, rank, 3, ilgpu))
        {
            var expected = new float[513];
            for (int r = 0; r < size; r++)
            {
                var d = Data(513, r, 3).ToArray();
                for (int i = 0; i < 513; i++) expected[i] += d[i];
            }
            comm.AllReduce(g, ReduceOperation.Sum);
            Check(comm, MaxError(g.ToArray(), expected) <= 1e-6f * size, "allreduce-device", $"max error {MaxError(g.ToArray(), expected)}");
            using var gb = Data(65, rank, 4, ilgpu);
            comm.Broadcast(gb, 0);
            Check(comm, MaxError(gb.ToArray(), Data(65, 0, 4).ToArray()) == 0, "broadcast-device");
        }

        // Barrier: the last rank arrives late; no rank may pass before every rank has written its file.
        if (rank == size - 1) Thread.Sleep(300);
        File.WriteAllText(Path.Combine(dir, $"arrived.{rank}"), "");
        comm.Barrier();
        var missing = Enumerable.Range(0, size).Where(r => !File.Exists(Path.Combine(dir, $"arrived.{r}"))).ToList();
        Check(comm, missing.Count == 0, "barrier", $"passed before rank(s) {string.Join(",", missing)} arrived");

        // Misuse is refused before anything is sent, so the ranks stay in step.
        using (var t = Data(3, rank, 11))
        {
            Expect<ArgumentOutOfRangeException>(comm, "bad-root", () => comm.Broadcast(t, size), $"Broadcast: root {size} is not a rank of this group of {size} (0 to {size - 1})");
            Expect<ArgumentOutOfRangeException>(comm, "bad-timeout", () => ((MpiCommunicator)comm).Timeout = TimeSpan.Zero, "MpiCommunicator.Timeout must be positive");
            Expect<InvalidOperationException>(comm, "second-communicator", () => new MpiCommunicator(), "is already open in this process");
        }
        comm.Dispose();
        comm.Dispose();
        Expect<ObjectDisposedException>(comm, "disposed", comm.Barrier, "MpiCommunicator");
        Expect<InvalidOperationException>(comm, "after-finalize", () => new MpiCommunicator(), "MPI cannot be initialised twice in one process");
        Console.WriteLine($"rank {rank}: done, {_failures} failures");
        return _failures;
    }

    private static void Expect<T>(ICommunicator comm, string name, Action action, string message) where T : Exception
    {
        try
        {
            action();
            Check(comm, false, name, $"no {typeof(T).Name}");
        }
        catch (T e)
        {
            Check(comm, e.Message.Contains(message, StringComparison.Ordinal), name, e.Message);
        }
    }

    /// <summary>Rank 1 never joins: the others must throw naming it, then end the job (Dispose aborts it).</summary>
    private static int Timeout(string dir)
    {
        using var comm = Communicator.FromEnvironment(TimeSpan.FromSeconds(3));
        // Start together (process start-up can differ by seconds on a loaded machine), so that each waiting rank is
        // still inside the communicator, answering, while the other asks around.
        comm.Barrier();
        if (comm.Rank == 1)
        {
            Console.WriteLine("rank 1: hanging outside the communicator");
            Thread.Sleep(System.Threading.Timeout.Infinite);
        }
        using var t = Data(100, comm.Rank, 5);
        try
        {
            comm.AllReduce(t, ReduceOperation.Sum);
            Check(comm, false, "timeout", "the all-reduce completed without rank 1");
        }
        catch (CommunicatorTimeoutException e)
        {
            Console.WriteLine($"rank {comm.Rank}: timeout {e.Message}");
            Console.WriteLine($"rank {comm.Rank}: unresponsive [{string.Join(",", e.UnresponsiveRanks)}]");
        }
        try
        {
            comm.Barrier();
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"rank {comm.Rank}: faulted {e.Message}");
        }
        // Every waiting rank reports before any of them ends the job (Dispose of a faulted communicator aborts it).
        File.WriteAllText(Path.Combine(dir, $"reported.{comm.Rank}"), "");
        for (int i = 0; i < 200 && Enumerable.Range(0, comm.WorldSize).Any(r => r != 1 && !File.Exists(Path.Combine(dir, $"reported.{r}"))); i++)
            Thread.Sleep(50);
        return 0;
    }

    /// <summary>Rank 1 throws an unhandled exception: the job must end (MPI_Abort) instead of rank 0 waiting a minute.</summary>
    private static int Throw(string dir)
    {
        using var comm = Communicator.FromEnvironment(TimeSpan.FromSeconds(60));
        if (comm.Rank == 1) throw new InvalidOperationException("deliberate failure on rank 1");
        using var t = Data(100, comm.Rank, 6);
        comm.AllReduce(t, ReduceOperation.Sum);
        Console.WriteLine($"rank {comm.Rank}: completed the all-reduce without rank 1");
        return 1;
    }

    /// <summary>Rank 1 is killed (SIGKILL): what Open MPI does with the others is what this case shows.</summary>
    private static int Kill(string dir)
    {
        using var comm = Communicator.FromEnvironment(TimeSpan.FromSeconds(60));
        if (comm.Rank == 1)
        {
            Console.WriteLine("rank 1: killing itself");
            System.Diagnostics.Process.GetCurrentProcess().Kill();
            Thread.Sleep(System.Threading.Timeout.Infinite);
        }
        using var t = Data(100, comm.Rank, 7);
        comm.AllReduce(t, ReduceOperation.Sum);
        Console.WriteLine($"rank {comm.Rank}: completed the all-reduce without rank 1");
        return 1;
    }

    /// <summary>
    /// NCCL between the ranks' CUDA devices (one GPU per rank: NCCL refuses two ranks on one GPU): all-reduce and
    /// broadcast against local expectations. Not run by the xunit suite (CI has no GPU); on a machine with N ≥ 2 GPUs:
    /// mpirun -np N dotnet DeepLearning.Mpi.Tests.dll nccl.
    /// </summary>
    private static int Nccl(string dir)
    {
        using var mpi = new MpiCommunicator(TimeSpan.FromSeconds(60));
        int cudaDevices = GpuDevices.List().Count(d => d.Kind == "cuda");
        var gpu = Device.Cuda(mpi.Rank % Math.Max(1, cudaDevices));
        using var comm = new NcclCommunicator(mpi, gpu);
        Console.WriteLine($"rank {comm.Rank}: {comm.Name}");
        foreach (int length in new[] { 1, 1000, 1 << 22 })
            foreach (var op in new[] { ReduceOperation.Sum, ReduceOperation.Average })
            {
                var expected = new float[length];
                for (int r = 0; r < comm.WorldSize; r++)
                {
                    var d = Data(length, r, 8).ToArray();
                    for (int i = 0; i < length; i++) expected[i] += d[i];
                }
                if (op == ReduceOperation.Average) for (int i = 0; i < length; i++) expected[i] /= comm.WorldSize;
                using var t = Data(length, comm.Rank, 8, gpu);
                comm.AllReduce(t, op);
                Check(comm, MaxError(t.ToArray(), expected) <= 1e-6f * comm.WorldSize, $"nccl-allreduce-{op}-{length}", $"max error {MaxError(t.ToArray(), expected)}");
            }
        using (var b = Data(4097, comm.Rank, 9, gpu))
        {
            comm.Broadcast(b, comm.WorldSize - 1);
            Check(comm, MaxError(b.ToArray(), Data(4097, comm.WorldSize - 1, 9).ToArray()) == 0, "nccl-broadcast");
        }
        using (var h = Data(10, comm.Rank, 10))
        {
            comm.AllReduce(h, ReduceOperation.Sum);
            var expected = new float[10];
            for (int r = 0; r < comm.WorldSize; r++)
            {
                var d = Data(10, r, 10).ToArray();
                for (int i = 0; i < 10; i++) expected[i] += d[i];
            }
            Check(comm, MaxError(h.ToArray(), expected) <= 1e-6f * comm.WorldSize, "nccl-host-tensor-through-mpi");
        }
        comm.Barrier();
        Console.WriteLine($"rank {comm.Rank}: done, {_failures} failures");
        return _failures;
    }

    /// <summary>
    /// Not a test: the time of an all-reduce (sum) by size, median of 20 after 3 warm-ups, printed by rank 0, with the
    /// bus bandwidth NCCL's tests report (2·(n−1)/n · bytes / time). mpirun -np 2 dotnet DeepLearning.Mpi.Tests.dll bench
    /// </summary>
    private static int Bench(string dir)
    {
        using var comm = Communicator.FromEnvironment();
        foreach (int length in new[] { 1, 1 << 10, 1 << 16, 1 << 20, 25 << 18 })
        {
            using var t = Data(length, comm.Rank, 12);
            var times = new List<double>();
            for (int i = 0; i < 23; i++)
            {
                comm.Barrier();
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                comm.AllReduce(t, ReduceOperation.Sum);
                if (i >= 3) times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            times.Sort();
            double ms = times[times.Count / 2];
            double busGBs = 2.0 * (comm.WorldSize - 1) / comm.WorldSize * length * 4 / (ms * 1e6);
            if (comm.Rank == 0) Console.WriteLine($"allreduce {length * 4,10} bytes: {ms,9:0.000} ms  bus {busGBs,6:0.00} GB/s");
        }
        return 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string NullText(string? text = null) => text!.ToUpperInvariant();

    private static float MaxError(float[] a, float[] b)
    {
        if (a.Length != b.Length) return float.PositiveInfinity;
        float m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }
}
