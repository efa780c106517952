using System.Collections;

namespace DeepLearning;

/// <summary>
/// Iterates over a data set (X, Y) in mini-batches (Flux's <c>DataLoader</c>, PyTorch's <c>DataLoader</c>): each
/// enumeration is one epoch that yields every sample exactly once, as pairs <c>(X [b, …], Y [b, …])</c> whose first axis
/// is the batch.
/// </summary>
/// <remarks>
/// <para>Shuffling is reproducible: epoch e (the e-th enumeration, counted from 0, or <see cref="GetEpoch"/>) visits the
/// samples in a permutation determined only by (<see cref="Seed"/>, e), so a run repeats exactly and each epoch
/// differs.</para>
/// <para>Data-parallel training: <see cref="Shard"/> gives each process (rank) of a group its part of every epoch, as
/// PyTorch's <c>DistributedSampler</c> does: every rank permutes all N samples with the same (<see cref="Seed"/>, epoch), so
/// the ranks agree on the order without talking, and rank r takes positions r, r + W, r + 2W … of it (W the world size).
/// Every rank gets the same number of samples, hence the same number of batches, so collectives stay in step: ⌈N / W⌉
/// each, the order padded by wrapping around to its start (a few samples seen twice per epoch, as PyTorch), or ⌊N / W⌋
/// each with <see cref="DropLast"/> (a few samples skipped per epoch).</para>
/// <para>Cost: an unshuffled batch is a view of the data (no copy); a shuffled batch copies just its own rows. Batches
/// are made on demand on the enumerating thread, on the data's device.</para>
/// <para>Memory: each iteration of a <c>foreach</c> over a loader runs inside a <see cref="TensorScope"/> of its own.
/// The batch, and every tensor the loop body makes (a loss, its gradients, predictions), is released when the
/// enumeration moves on to the next batch or ends, as a training step releases its temporaries: a hand-written loop
/// stays flat in memory without a scope of its own. To keep a tensor past its batch, keep it
/// (<c>TensorScope.Current.Keep(t)</c>, moving it to the scope around the loop) or copy it (<c>Clone</c>,
/// <c>ToArray</c>, <c>Item</c>). Enumerate a loader on one thread (scopes are per thread).</para>
/// </remarks>
/// <example>
/// <code>
/// var data = new DataLoader(train.Images, Tensor.OneHot(train.Labels, 10), batchSize: 128, shuffle: true, seed: 1);
/// foreach (var (x, y) in data) { … }
/// </code>
/// </example>
public sealed class DataLoader : IReadOnlyCollection<(Tensor X, Tensor Y)>
{
    private int _epochs;

    /// <summary>Creates a loader over samples <c>(x[i], y[i])</c>, i in [0, N).</summary>
    /// <param name="x">Inputs, N along the first axis.</param>
    /// <param name="y">Targets, N along the first axis.</param>
    /// <param name="batchSize">Samples per batch; the last batch may be smaller unless <paramref name="dropLast"/>.</param>
    /// <param name="shuffle">Visit the samples in a new random order each epoch.</param>
    /// <param name="seed">Seed of the shuffles and of the per-batch seeds passed to <see cref="Transform"/>.</param>
    /// <param name="dropLast">Skip the last batch when it would be smaller than <paramref name="batchSize"/> (Flux's <c>partial=false</c>).</param>
    /// <param name="device">
    /// Where batches are yielded (null: the data's device). Data in host memory is gathered on the host into a staging
    /// buffer (the <see cref="Transform"/> runs there) and uploaded in one transfer per batch; data already on the
    /// device is gathered there, one call per tensor.
    /// </param>
    /// <exception cref="ArgumentException">A tensor is a scalar, or the first dimensions differ; the message names both lengths.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public DataLoader(Tensor x, Tensor y, int batchSize = 32, bool shuffle = false, ulong seed = 0, bool dropLast = false, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank == 0 || y.Rank == 0)
            throw new ArgumentException($"DataLoader: X {x.Shape} and Y {y.Shape} must have a first (sample) axis");
        if (x.Shape[0] != y.Shape[0])
            throw new ArgumentException($"DataLoader: X has {x.Shape[0]} samples (shape {x.Shape}) but Y has {y.Shape[0]} (shape {y.Shape})");
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"DataLoader: batch size must be positive, got {batchSize}");
        X = x;
        Y = y;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Device = device ?? x.Device;
    }

    // A shard of another loader: the same data and options, one rank's part of each epoch.
    private DataLoader(DataLoader all, int rank, int worldSize)
        : this(all.X, all.Y, all.BatchSize, all.Shuffle, all.Seed, all.DropLast, all.Device)
    {
        Transform = all.Transform;
        Rank = rank;
        WorldSize = worldSize;
        EpochsStarted = all.EpochsStarted;
    }

    /// <summary>
    /// This loader's data split among <paramref name="worldSize"/> processes: the loader of rank <paramref name="rank"/>,
    /// which yields its share of each epoch (PyTorch's <c>DistributedSampler</c>; see the remarks of <see cref="DataLoader"/>).
    /// Every rank must build its shard from a loader of the same data, batch size, shuffle, seed and <see cref="DropLast"/>.
    /// The shard starts at this loader's <see cref="EpochsStarted"/>.
    /// </summary>
    /// <param name="rank">This process's index in the group, 0 ≤ rank &lt; worldSize.</param>
    /// <param name="worldSize">The number of processes, ≥ 1 (1: the whole data set, as this loader).</param>
    /// <returns>A new loader; this one is unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="worldSize"/> is less than 1, or <paramref name="rank"/> is negative or not below it.</exception>
    /// <exception cref="InvalidOperationException">This loader is already a shard.</exception>
    /// <example><code>var mine = new DataLoader(x, y, 64, shuffle: true, seed: 1).Shard(rank, worldSize);</code></example>
    public DataLoader Shard(int rank, int worldSize)
    {
        if (worldSize < 1)
            throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, $"DataLoader.Shard: worldSize must be >= 1, got {worldSize}");
        if (rank < 0 || rank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"DataLoader.Shard: rank must be in [0, {worldSize}) for worldSize {worldSize}, got {rank}");
        if (WorldSize != 1)
            throw new InvalidOperationException($"DataLoader.Shard: this loader is already shard {Rank} of {WorldSize}; shard the full loader");
        return new DataLoader(this, rank, worldSize);
    }

    /// <summary>The shard this loader yields: its rank among <see cref="WorldSize"/> processes (0 for a whole loader).</summary>
    public int Rank { get; }

    /// <summary>The number of shards the data is split into (1 for a whole loader); see <see cref="Shard"/>.</summary>
    public int WorldSize { get; } = 1;

    /// <summary>The device batches are yielded on.</summary>
    public Device Device { get; }

    /// <summary>The inputs, N samples along the first axis.</summary>
    public Tensor X { get; }

    /// <summary>The targets, N samples along the first axis.</summary>
    public Tensor Y { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the samples in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffles and of the transform seeds.</summary>
    public ulong Seed { get; }

    /// <summary>Whether a last, smaller batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>
    /// An optional per-batch transform of X (augmentation, such as <see cref="Augmentation.Apply"/>): called with the
    /// batch's inputs and a seed determined by (<see cref="Seed"/>, epoch, batch index); returns the inputs to yield.
    /// </summary>
    public Func<Tensor, ulong, Tensor>? Transform { get; init; }

    /// <summary>Number of samples N in the data set (of all shards together).</summary>
    public int Length => X.Shape[0];

    /// <summary>
    /// Number of samples one epoch yields: N; for a shard ⌈N / W⌉, or ⌊N / W⌋ with <see cref="DropLast"/> (W =
    /// <see cref="WorldSize"/>), the same on every rank.
    /// </summary>
    public int SamplesPerEpoch => WorldSize == 1 ? Length : DropLast ? Length / WorldSize : (Length + WorldSize - 1) / WorldSize;

    /// <summary>
    /// Number of batches per epoch: ⌈S / batch⌉, or ⌊S / batch⌋ with <see cref="DropLast"/>, S = <see cref="SamplesPerEpoch"/>
    /// (N for a whole loader): the same on every rank of a sharded loader.
    /// </summary>
    public int Count => DropLast ? SamplesPerEpoch / BatchSize : (SamplesPerEpoch + BatchSize - 1) / BatchSize;

    /// <summary>
    /// How many epochs enumeration has started (the next <see cref="GetEnumerator"/> runs epoch number this). Setting it
    /// (as <c>Checkpoint.Load</c> does) makes the next enumeration run that epoch, to resume a run's data order exactly.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public int EpochsStarted
    {
        get => Volatile.Read(ref _epochs);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _epochs, value);
        }
    }

    /// <summary>Starts the next epoch: epoch <see cref="EpochsStarted"/>, then the count advances.</summary>
    public IEnumerator<(Tensor X, Tensor Y)> GetEnumerator() => GetEpoch(Interlocked.Increment(ref _epochs) - 1).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The batches of epoch <paramref name="epoch"/> (the same every time it is asked for); does not advance <see cref="EpochsStarted"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public IEnumerable<(Tensor X, Tensor Y)> GetEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Batches(epoch);
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the samples (null when not shuffling: 0 … N − 1).</summary>
    internal int[]? Order(int epoch) => Shuffle ? new SeededRandom(Seed, 1, (ulong)epoch).Permutation(Length) : null;

    /// <summary>
    /// The samples this loader visits in epoch <paramref name="epoch"/>, in order: <see cref="Order"/> (null: all in
    /// order, batches are views), or for a shard every W-th position of it from <see cref="Rank"/>, wrapping past N.
    /// </summary>
    internal int[]? Indices(int epoch)
    {
        var all = Order(epoch);
        if (WorldSize == 1) return all;
        var mine = new int[SamplesPerEpoch];
        for (int i = 0; i < mine.Length; i++)
        {
            int position = (i * WorldSize + Rank) % Length;
            mine[i] = all is null ? position : all[position];
        }
        return mine;
    }

    private IEnumerable<(Tensor X, Tensor Y)> Batches(int epoch)
    {
        var order = Indices(epoch);
        bool moved = Device != X.Device || Device != Y.Device;
        bool staged = moved && X.Device == Device.Cpu && Y.Device == Device.Cpu;
        // Reused by every batch of the epoch: x's rows then y's rows, uploaded together.
        var staging = staged ? new float[Math.Min(BatchSize, SamplesPerEpoch) * (X.Shape.Product(1, X.Rank) + Y.Shape.Product(1, Y.Rank))] : null;
        for (int b = 0, count = Count; b < count; b++)
        {
            // One scope per batch, open while the loop body runs: the batch and whatever the body makes (a loss, its
            // gradients) are released when the enumeration moves on or ends, so a hand-written loop needs no scope.
            var scope = TensorScope.Begin("when its DataLoader moved on to the next batch (a batch, and every tensor made in the body of a foreach over a DataLoader, lives until the loop moves on)");
            try
            {
                yield return staging is not null ? StageBatch(order, epoch, b, ref staging)
                    : moved ? MoveBatch(MakeBatch(order, epoch, b)) : MakeBatch(order, epoch, b);
            }
            finally
            {
                scope.Dispose();
            }
        }
    }

    private (int Start, int Size) Range(int b) => (b * BatchSize, Math.Min(BatchSize, SamplesPerEpoch - b * BatchSize));

    private (Tensor X, Tensor Y) MakeBatch(int[]? order, int epoch, int b)
    {
        var (start, size) = Range(b);
        Tensor x, y;
        if (order is null)
        {
            x = SliceView(X, start, size);
            y = SliceView(Y, start, size);
        }
        else
        {
            var rows = order.AsSpan(start, size);
            x = X.GatherRows(rows);
            y = Y.GatherRows(rows);
        }
        if (Transform is not null) x = Transform(x, TransformSeed(epoch, b));
        return (x, y);
    }

    /// <summary>A batch for another device: rows gathered (and transformed) on the host, then one upload of x and y together.</summary>
    private (Tensor X, Tensor Y) StageBatch(int[]? order, int epoch, int b, ref float[] staging)
    {
        var (start, size) = Range(b);
        using (TensorScope.Begin())
        {
            Tensor x, y;
            if (order is null)
            {
                x = SliceView(X, start, size);
                y = SliceView(Y, start, size);
            }
            else
            {
                x = X.GatherRows(order.AsSpan(start, size));
                y = Y.GatherRows(order.AsSpan(start, size));
            }
            if (Transform is not null) x = Transform(x, TransformSeed(epoch, b));
            int total = x.Length + y.Length;
            if (staging.Length < total) staging = new float[total];
            x.CopyTo(staging);
            y.CopyTo(staging.AsSpan(x.Length));
            var xShape = x.Shape;
            var yShape = y.Shape;
            var both = Tensor.FromSpan(staging.AsSpan(0, total), new Shape(total), Device);
            var batch = (both.View(xShape), both.View(yShape, xShape.Length));
            both.Dispose();
            var scope = TensorScope.Current!;
            return (scope.Keep(batch.Item1), scope.Keep(batch.Item2));
        }
    }

    /// <summary>A batch gathered on the data's device (not the host), then copied to <see cref="Device"/>.</summary>
    private (Tensor X, Tensor Y) MoveBatch((Tensor X, Tensor Y) batch) => (batch.X.To(Device), batch.Y.To(Device));

    // A shard's batch b counts as batch b·W + rank of the epoch, so ranks augment their samples with different draws.
    private ulong TransformSeed(int epoch, int b) => new SeededRandom(Seed, 2, ((ulong)epoch << 32) | (uint)(b * WorldSize + Rank)).NextULong();

    // Batches are data, not part of a model's graph: never record the slice, even if X is being differentiated.
    private static Tensor SliceView(Tensor t, int start, int size)
    {
        using (Autodiff.NoGrad()) return t.Slice(start, size);
    }
}
