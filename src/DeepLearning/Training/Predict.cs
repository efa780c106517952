namespace DeepLearning;

public static partial class Trainer
{
    /// <summary>
    /// The model's outputs for every sample of <paramref name="x"/> (Keras' <c>model.predict</c>): forward passes over
    /// batches of <paramref name="batchSize"/> in evaluation mode (<see cref="LayerMode.Test"/>: no dropout, BatchNorm's
    /// running statistics) without recording, each batch's temporaries released as soon as its output is copied out.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="x">Inputs, samples along the first axis.</param>
    /// <param name="batchSize">Samples per forward pass; bounds the memory of the intermediate activations.</param>
    /// <returns>
    /// One tensor <c>[N, …]</c> of the outputs in order, on the model's device (batches of <paramref name="x"/> move there
    /// one at a time), owned by the caller's scope (if any).
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is a scalar or holds no samples, or the model's output does not keep the batch axis.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public static Tensor Predict(this Layer model, Tensor x, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"Predict: batchSize must be >= 1, got {batchSize}");
        if (x.Rank == 0 || x.Shape[0] == 0) throw new ArgumentException($"Predict: x {x.Shape} holds no samples along its first axis", nameof(x));
        int n = x.Shape[0];
        var device = model.Device ?? x.Device;
        using var noGrad = Autodiff.NoGrad();
        using var modes = model.Temporarily(LayerMode.Test);
        Tensor? result = null;
        for (int start = 0; start < n; start += batchSize)
        {
            int length = Math.Min(batchSize, n - start);
            using var scope = TensorScope.Begin();
            var output = model.Forward(x.Slice(start, length).To(device));
            if (output.Rank == 0 || output.Shape[0] != length)
                throw new ArgumentException($"Predict: {model} gave output {output.Shape} for a batch of {length} samples; it must keep the batch axis first", nameof(model));
            // Made here so its shape is known; Keep hands it to the caller's scope.
            result ??= scope.Keep(Tensor.Create(output.Shape.WithDim(0, n), output.Device));
            if (output.Shape.WithDim(0, n) != result.Shape)
                throw new ArgumentException($"Predict: {model} gave outputs of shapes {result.Shape.WithDim(0, batchSize)} and {output.Shape} for different batches", nameof(model));
            Tensor.UpdateInPlace(result.Slice(start, length), output);
        }
        return result!;
    }
}
