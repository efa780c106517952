namespace DeepLearning.Gpu.Benchmarks;

/// <summary>Fixed random batches for the training-step benchmarks, made on the device so no step pays an upload.</summary>
public static class BenchData
{
    /// <summary>Uniform [0, 1) inputs of <paramref name="shape"/> and one-hot labels over 10 classes, one per row.</summary>
    public static (Tensor X, Tensor Y) Batch(Shape shape, Device device, int seed)
    {
        var rng = new Random(seed);
        var labels = Enumerable.Range(0, shape[0]).Select(_ => rng.Next(10)).ToArray();
        return (Tensor.Rand(shape, (ulong)seed, device), Tensor.OneHot(labels, 10, device));
    }
}
