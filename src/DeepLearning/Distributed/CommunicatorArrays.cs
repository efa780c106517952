namespace DeepLearning.Distributed;

/// <summary>
/// Collectives over small host arrays (counts, digests, epoch sums): the values go through a tensor on
/// <c>device</c>, the model's, because NCCL only reduces memory of its own device.
/// </summary>
internal static class CommunicatorArrays
{
    /// <summary>Replaces <paramref name="values"/> by their reduction over all ranks.</summary>
    public static void AllReduceArray(this ICommunicator communicator, float[] values, ReduceOperation operation, Device device)
    {
        if (values.Length == 0) return;
        using var t = Tensor.FromSpan(values, new Shape(values.Length), device);
        communicator.AllReduce(t, operation);
        t.CopyTo(values);
    }

    /// <summary>Replaces <paramref name="values"/> by rank <paramref name="root"/>'s, on every rank.</summary>
    public static void BroadcastArray(this ICommunicator communicator, float[] values, int root, Device device)
    {
        if (values.Length == 0) return;
        using var t = Tensor.FromSpan(values, new Shape(values.Length), device);
        communicator.Broadcast(t, root);
        t.CopyTo(values);
    }
}
