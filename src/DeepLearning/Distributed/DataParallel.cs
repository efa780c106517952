namespace DeepLearning.Distributed;

/// <summary>
/// Data-parallel training (PyTorch's <c>DistributedDataParallel</c>, Keras' <c>MirroredStrategy</c>): one process per
/// device, each with its own copy of the model, its own shard of every epoch, and the gradients averaged over all of
/// them before each update, so every copy takes the same step and stays the same.
/// </summary>
/// <remarks>
/// <para>At construction, collectively on every rank: checks that the ranks built the same model (parameter and buffer
/// names and shapes; the first difference is named), then copies rank 0's parameters and buffers to the others, so ranks
/// may start from different seeds. Then it joins the optimizer: each <see cref="Optimizer.Update"/>
/// first replaces the gradients by their mean over the ranks, so <c>Trainer.TrainStep</c>, <c>Trainer.Train</c>,
/// <c>Fit</c> and hand-written loops work unchanged. <c>Train</c> and <c>Fit</c> also average their epoch numbers
/// (loss, metrics, validation) over the ranks, and only rank 0 prints and saves checkpoints
/// (<see cref="FitContext.IsMainProcess"/>).</para>
/// <para>Gradients travel in buckets of at most <see cref="BucketCapMB"/> MiB (PyTorch's <c>bucket_cap_mb</c>, 25 by
/// default), filled in reverse parameter order as backward produces them, one <c>AllReduce(Average)</c> per bucket. The
/// averaging runs after backward, not overlapped with it: the tape has no per-parameter "gradient ready" hook and
/// <see cref="ICommunicator"/> is blocking. On a CPU cluster the ranks' cores are busy with backward anyway; on GPUs,
/// overlap would hide up to one backward pass of communication (docs/distributed.md estimates how much that matters).</para>
/// <para>BatchNorm's running statistics stay per rank, each from its own batches (PyTorch with
/// <c>broadcast_buffers=False</c>); <see cref="BroadcastBuffers"/> makes them rank 0's. Each rank should pass its own
/// shard of the data (<see cref="DataLoaderSharding.Shard(DataLoader, ICommunicator)"/>), every rank the same number of batches, and every rank
/// must run the same collectives in the same order: all train, all validate, all call <see cref="Evaluate"/>.</para>
/// <para>A world size of 1 communicates nothing: the same program runs with or without a launcher.</para>
/// </remarks>
/// <example>
/// <code>
/// using var comm = Communicator.FromEnvironment();           // MPI under mpirun; world size 1 otherwise
/// var model = new Chain(new Dense(784, 512, Relu), new Dense(512, 10));
/// var opt = new Adam(1e-3f).Setup(model);
/// using var dp = new DataParallel(model, opt, comm);        // same weights everywhere; gradients averaged in Update
/// var data = new DataLoader(x, y, batchSize: 64, shuffle: true, seed: 1).Shard(comm);
/// model.Fit(Losses.LogitCrossEntropy, data, opt, new FitOptions { Epochs = 5, Verbose = 2 });   // rank 0 prints
/// </code>
/// </example>
public sealed class DataParallel : IDisposable, IReplicaGroup
{
    /// <summary>PyTorch's default bucket size for gradient all-reduce, in MiB.</summary>
    public const float DefaultBucketCapMB = 25;

    private readonly int[][] _buckets;
    private bool _disposed;

    /// <summary>Joins <paramref name="model"/> and <paramref name="optimizer"/> to the group of <paramref name="communicator"/> (collectively: every rank constructs one).</summary>
    /// <param name="model">This rank's copy of the model.</param>
    /// <param name="optimizer">The optimizer set up on <paramref name="model"/>; its updates average gradients across ranks from now on.</param>
    /// <param name="communicator">The group; not disposed by this object.</param>
    /// <param name="bucketCapMB">The largest bucket of gradients sent in one all-reduce, in MiB (2²⁰ bytes); a larger parameter travels alone.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucketCapMB"/> is not a positive finite number.</exception>
    /// <exception cref="ArgumentException">The optimizer updates parameters that are not the model's.</exception>
    /// <exception cref="InvalidOperationException">
    /// The optimizer already belongs to a <see cref="DataParallel"/>, or the ranks' models differ (the message names the
    /// first differing parameter or buffer, with its shape on rank 0 and on the differing rank).
    /// </exception>
    public DataParallel(Layer model, Optimizer optimizer, ICommunicator communicator, float bucketCapMB = DefaultBucketCapMB)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(communicator);
        if (!(bucketCapMB > 0) || !float.IsFinite(bucketCapMB))
            throw new ArgumentOutOfRangeException(nameof(bucketCapMB), bucketCapMB, $"DataParallel: bucketCapMB must be a positive number of MiB, got {bucketCapMB}");
        var own = new HashSet<Parameter>(model.Parameters(), ReferenceEqualityComparer.Instance);
        if (optimizer.Parameters.FirstOrDefault(p => !own.Contains(p)) is { } stranger)
            throw new ArgumentException($"DataParallel: the optimizer updates {stranger.Describe()}, which is not a parameter of the model; set the rule up on this model (rule.Setup(model))", nameof(optimizer));
        if (optimizer.Replicas is not null)
            throw new InvalidOperationException($"DataParallel: {optimizer} already belongs to a DataParallel; dispose that one first");
        Model = model;
        Optimizer = optimizer;
        Communicator = communicator;
        BucketCapMB = bucketCapMB;
        _buckets = FlatBuckets.Plan(optimizer.Parameters, (long)(bucketCapMB * (1 << 20)), reverse: true);
        if (WorldSize > 1)
        {
            ModelAgreement.Verify(model, communicator, ModelDevice, "DataParallel");
            Broadcast([.. model.Parameters(), .. model.NamedBuffers().Select(b => b.Value)]);
        }
        optimizer.Replicas = this;
    }

    /// <summary>This rank's model.</summary>
    public Layer Model { get; }

    /// <summary>The optimizer whose updates average gradients across ranks.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The group the ranks exchange through.</summary>
    public ICommunicator Communicator { get; }

    /// <summary>The largest gradient bucket, in MiB.</summary>
    public float BucketCapMB { get; }

    /// <summary>This process's rank (its <see cref="Communicator"/>'s).</summary>
    public int Rank => Communicator.Rank;

    /// <summary>The number of processes.</summary>
    public int WorldSize => Communicator.WorldSize;

    /// <summary>Whether this is rank 0, the process that prints and saves.</summary>
    public bool IsMainProcess => Rank == 0;

    // Where the model is now (it may have moved since construction): small exchanges go there, as NCCL needs.
    private Device ModelDevice => Model.Parameters().FirstOrDefault()?.Device ?? Device.Cpu;

    /// <summary>The gradient buckets: each a list of positions in <see cref="Optimizer.Parameters"/>, last parameters first.</summary>
    internal IReadOnlyList<int[]> Buckets => _buckets;

    /// <summary>
    /// Copies rank 0's buffers (BatchNorm's running statistics) to every rank, collectively: before evaluating or saving
    /// on several ranks, when each should use the same statistics.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    public void BroadcastBuffers()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (WorldSize > 1) Broadcast([.. Model.NamedBuffers().Select(b => b.Value)]);
    }

    /// <summary>
    /// <c>model.Evaluate</c> over the shards of all ranks, collectively: the loss and each metric averaged over the samples
    /// of every rank, the same on each. Each rank passes its own shard (or all of them the same data, which gives that
    /// data's numbers).
    /// </summary>
    /// <param name="lossFn">A loss of (ŷ, y).</param>
    /// <param name="data">This rank's batches.</param>
    /// <param name="metrics">Metrics to average besides the loss.</param>
    /// <returns><c>loss</c> and each metric's name, mapped to its mean over all ranks' samples.</returns>
    /// <exception cref="ArgumentException">This rank's data holds no batches.</exception>
    public IReadOnlyDictionary<string, double> Evaluate(Func<Tensor, Tensor, Tensor> lossFn, IEnumerable<(Tensor X, Tensor Y)> data,
        IReadOnlyList<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(lossFn);
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        metrics ??= [];
        var totals = Trainer.EvaluateSums(Model, lossFn, data, metrics);
        if (WorldSize > 1) Sum(totals);
        return Trainer.Means(totals, metrics);
    }

    /// <summary>Leaves the optimizer to update alone again (its gradients no longer averaged); the communicator stays open.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (ReferenceEquals(Optimizer.Replicas, this)) Optimizer.Replicas = null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"DataParallel(rank {Rank} of {WorldSize} over {Communicator.Name}, {_buckets.Length} gradient buckets)";

    void IReplicaGroup.AverageGradients(IReadOnlyList<Parameter> parameters, Gradients grads)
    {
        if (WorldSize == 1) return;
        foreach (var bucket in _buckets)
        {
            foreach (int i in bucket)
                if (!grads.Contains(parameters[i]))
                    throw new KeyNotFoundException($"Optimizer.Update: no gradient for {parameters[i].Describe()}; take the gradient w.r.t. opt.Parameters");
            // The mean goes into a new buffer whose slices become the gradients: the old gradient tensors may be shared
            // with other values (see Gradients), so they are never written.
            var flat = FlatBuckets.Pack(bucket, i => grads[parameters[i]], "DataParallel");
            Communicator.AllReduce(flat, ReduceOperation.Average);
            int offset = 0;
            foreach (int i in bucket)
            {
                var p = parameters[i];
                grads.Replace(p, flat.View(p.Shape, offset));
                offset += p.Length;
            }
            flat.Dispose();   // the slices keep its memory until they go
        }
    }

    void IReplicaGroup.Sum(double[] values) => Sum(values);

    /// <summary>
    /// Replaces each value by its sum over the ranks: summed in float32 (epoch numbers need no more), then rank 0's
    /// result sent to all, so every rank holds the same bits and takes the same decisions from them (early stopping).
    /// </summary>
    private void Sum(double[] values)
    {
        if (WorldSize == 1 || values.Length == 0) return;
        var floats = new float[values.Length];
        for (int i = 0; i < values.Length; i++) floats[i] = (float)values[i];
        Communicator.AllReduceArray(floats, ReduceOperation.Sum, ModelDevice);
        Communicator.BroadcastArray(floats, 0, ModelDevice);
        for (int i = 0; i < values.Length; i++) values[i] = floats[i];
    }

    /// <summary>Rank 0's values of <paramref name="tensors"/> to every rank, in place, bucket by bucket.</summary>
    private void Broadcast(IReadOnlyList<Tensor> tensors)
    {
        using var noGrad = Autodiff.NoGrad();
        using var scope = TensorScope.Begin();
        foreach (var bucket in FlatBuckets.Plan(tensors, (long)(BucketCapMB * (1 << 20)), reverse: false))
        {
            var flat = FlatBuckets.Pack(bucket, i => tensors[i], "DataParallel");
            Communicator.Broadcast(flat, 0);
            if (Rank != 0) FlatBuckets.Unpack(flat, bucket, i => tensors[i]);
            flat.Dispose();
        }
    }
}
