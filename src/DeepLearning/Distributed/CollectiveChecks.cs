namespace DeepLearning.Distributed;

/// <summary>
/// Argument checks and the deadline test that every communicator makes the same way (MPI here, NCCL in the GPU
/// package), so that their messages stay one.
/// </summary>
internal static class CollectiveChecks
{
    /// <summary>Throws for a reduction other than sum and average.</summary>
    public static void Reduction(ReduceOperation operation)
    {
        if (operation is not (ReduceOperation.Sum or ReduceOperation.Average))
            throw new ArgumentOutOfRangeException(nameof(operation), operation, "AllReduce: unknown reduction");
    }

    /// <summary>Throws unless <paramref name="root"/> is a rank of a group of <paramref name="worldSize"/>.</summary>
    public static void Root(int root, int worldSize)
    {
        if (root < 0 || root >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"Broadcast: root {root} is not a rank of this group of {worldSize} (0 to {worldSize - 1})");
    }

    /// <summary>Returns a collective's time limit after checking it is positive or infinite; <paramref name="property"/> names it.</summary>
    public static TimeSpan Timeout(TimeSpan value, string property)
    {
        if (value <= TimeSpan.Zero && value != System.Threading.Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"{property} must be positive (or Timeout.InfiniteTimeSpan)");
        return value;
    }

    /// <summary>Whether a wait of <paramref name="waited"/> has passed <paramref name="timeout"/> (never, when infinite).</summary>
    public static bool Expired(TimeSpan timeout, TimeSpan waited) => timeout != System.Threading.Timeout.InfiniteTimeSpan && waited > timeout;
}
