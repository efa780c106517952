namespace DeepLearning.Distributed;

/// <summary>
/// Tensors packed into flat buffers of at most a cap of bytes, one collective per buffer (PyTorch DDP's buckets): a
/// few large messages instead of one per tensor, each paying the engine's latency once.
/// </summary>
internal static class FlatBuckets
{
    /// <summary>
    /// Groups the positions 0 … n − 1 of <paramref name="tensors"/> into buckets of at most <paramref name="capBytes"/>
    /// (a larger tensor gets a bucket of its own), walking them backwards when <paramref name="reverse"/>.
    /// </summary>
    public static int[][] Plan(IReadOnlyList<Tensor> tensors, long capBytes, bool reverse)
    {
        var buckets = new List<int[]>();
        var current = new List<int>();
        long bytes = 0;
        for (int k = 0; k < tensors.Count; k++)
        {
            int i = reverse ? tensors.Count - 1 - k : k;
            long size = (long)tensors[i].Length * sizeof(float);
            if (current.Count > 0 && bytes + size > capBytes)
            {
                buckets.Add([.. current]);
                current.Clear();
                bytes = 0;
            }
            current.Add(i);
            bytes += size;
        }
        if (current.Count > 0) buckets.Add([.. current]);
        return [.. buckets];
    }

    /// <summary>
    /// A new flat tensor in the current scope, on the device of the bucket's tensors, holding
    /// <c>source(i)</c> for each position i of <paramref name="bucket"/> one after the other.
    /// </summary>
    /// <exception cref="InvalidOperationException">The bucket's tensors are on different devices.</exception>
    public static Tensor Pack(int[] bucket, Func<int, Tensor> source, string owner)
    {
        var first = source(bucket[0]);
        long total = 0;
        foreach (int i in bucket) total += source(i).Length;
        var flat = Tensor.Create(new Shape(checked((int)total)), first.Device);
        int offset = 0;
        foreach (int i in bucket)
        {
            var t = source(i);
            if (t.Device != first.Device)
                throw new InvalidOperationException($"{owner}: {t.Describe()} is on {t.Device} but {first.Describe()} on {first.Device}; put the whole model on one device (model.To(device))");
            using (var slot = flat.View(t.Shape, offset)) Tensor.UpdateInPlace(slot, t);
            offset += t.Length;
        }
        return flat;
    }

    /// <summary>Copies the flat tensor's slots back into <c>target(i)</c>, in place, for each position i of <paramref name="bucket"/>.</summary>
    public static void Unpack(Tensor flat, int[] bucket, Func<int, Tensor> target)
    {
        int offset = 0;
        foreach (int i in bucket)
        {
            var t = target(i);
            using (var slot = flat.View(t.Shape, offset)) Tensor.UpdateInPlace(t, slot);
            offset += t.Length;
        }
    }
}
