namespace DeepLearning.Distributed;

/// <summary>
/// A group of one: rank 0 of a world of size 1, for the same training code run without a launcher. Every collective
/// leaves the tensor as it is (the reduction over one rank is the tensor itself; an average divides by 1).
/// </summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    private bool _disposed;

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int WorldSize => 1;

    /// <inheritdoc/>
    public string Name => "single process";

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The communicator or the tensor was disposed.</exception>
    public void AllReduce(Tensor tensor, ReduceOperation operation)
    {
        Check(tensor);
        CollectiveChecks.Reduction(operation);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not 0.</exception>
    public void Broadcast(Tensor tensor, int root)
    {
        Check(tensor);
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "Broadcast: root must be 0 in a single-process group");
    }

    /// <inheritdoc/>
    public void Barrier() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Marks the communicator disposed; there is nothing to release.</summary>
    public void Dispose() => _disposed = true;

    private void Check(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Reading a released tensor must fail here as it would on a real group.
        ObjectDisposedException.ThrowIf(tensor.IsDisposed, tensor);
    }
}
