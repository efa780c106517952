using System.Diagnostics;
using System.Globalization;
using DeepLearning;
using DeepLearning.Distributed;
using static DeepLearning.Activations;

internal static partial class Cases
{
    /// <summary>
    /// Not a test: data-parallel training steps of the MLP 784-512-256-10 (Adam, global batch 64 split over the ranks,
    /// random MNIST-shaped data), 20 warm-up steps then 300 timed, each rank printing samples/s of the whole group and
    /// the share of its step time spent in all-reduce (waiting for the peer included). Threads per rank are
    /// <c>Environment.ProcessorCount</c> (set it with <c>DOTNET_PROCESSOR_COUNT</c>).
    ///   mpirun -np 2 -x DOTNET_PROCESSOR_COUNT=1 dotnet DeepLearning.Mpi.Tests.dll bench-dp
    ///   DOTNET_PROCESSOR_COUNT=2 dotnet DeepLearning.Mpi.Tests.dll bench-dp            (one process, the reference)
    /// </summary>
    private static int BenchDataParallel(string dir)
    {
        const int GlobalBatch = 64, Warmup = 20, Steps = 300;
        using var mpi = Communicator.FromEnvironment();
        var comm = new TimedCommunicator(mpi);
        int batch = GlobalBatch / comm.WorldSize;
        var model = new Chain(new Dense(784, 512, Relu, seed: 1), new Dense(512, 256, Relu, seed: 2), new Dense(256, 10, seed: 3));
        var opt = new Adam(1e-3f).Setup(model);
        using var dp = new DataParallel(model, opt, comm);
        var batches = Enumerable.Range(0, 8).Select(i => (X: Tensor.Rand(new Shape(batch, 784), (ulong)(100 * comm.Rank + i)),
            Y: Tensor.OneHot([.. Enumerable.Range(0, batch).Select(j => (j * 7 + i) % 10)], 10))).ToArray();
        float Step(Tensor x, Tensor y) => Trainer.TrainStep((a, b) => Losses.LogitCrossEntropy(model.Forward(a), b), x, y, opt);
        for (int i = 0; i < Warmup; i++) Step(batches[i % 8].X, batches[i % 8].Y);
        comm.Barrier();
        comm.Reset();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < Steps; i++) Step(batches[i % 8].X, batches[i % 8].Y);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double allReduce = comm.AllReduceTime.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rank {comm.Rank} of {comm.WorldSize} ({comm.Name}), {Environment.ProcessorCount} thread(s), batch {batch} per rank: {Steps * GlobalBatch / seconds:F0} samples/s, {1e3 * seconds / Steps:F2} ms/step, all-reduce {1e3 * allReduce / Steps:F2} ms/step ({100 * allReduce / seconds:F0}% of the step time, {comm.AllReduces / Steps} per step)"));
        return 0;
    }

    /// <summary>Passes collectives through to <paramref name="inner"/>, timing the all-reduces.</summary>
    private sealed class TimedCommunicator(ICommunicator inner) : ICommunicator
    {
        private long _ticks;

        public int Rank => inner.Rank;

        public int WorldSize => inner.WorldSize;

        public string Name => inner.Name;

        public int AllReduces { get; private set; }

        public TimeSpan AllReduceTime => Stopwatch.GetElapsedTime(0, _ticks);

        public void Reset() => (_ticks, AllReduces) = (0, 0);

        public void AllReduce(Tensor tensor, ReduceOperation operation)
        {
            long start = Stopwatch.GetTimestamp();
            inner.AllReduce(tensor, operation);
            _ticks += Stopwatch.GetTimestamp() - start;
            AllReduces++;
        }

        public void Broadcast(Tensor tensor, int root) => inner.Broadcast(tensor, root);

        public void Barrier() => inner.Barrier();

        public void Dispose()
        {
        }
    }
}
