namespace DeepLearning.Distributed;

/// <summary>Data for data-parallel training: a loader's share for this process of a <see cref="ICommunicator"/> group.</summary>
public static class DataLoaderSharding
{
    /// <summary>
    /// This process's shard of <paramref name="loader"/>: <c>loader.Shard(communicator.Rank, communicator.WorldSize)</c>
    /// (PyTorch's <c>DistributedSampler</c>; see <see cref="DataLoader.Shard(int, int)"/>). Every rank must shard a loader
    /// of the same data, batch size, shuffle and seed.
    /// </summary>
    /// <param name="loader">The loader over the whole data set.</param>
    /// <param name="communicator">The group.</param>
    /// <returns>A loader yielding this rank's part of each epoch, as many batches as every other rank's.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The communicator's rank or world size is out of range.</exception>
    /// <exception cref="InvalidOperationException">The loader is already a shard.</exception>
    public static DataLoader Shard(this DataLoader loader, ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentNullException.ThrowIfNull(communicator);
        return loader.Shard(communicator.Rank, communicator.WorldSize);
    }
}
