namespace DeepLearning;

// Flux's batch: stacks samples along a new first axis.
public partial class Tensor
{
    /// <summary>
    /// Stacks samples of equal shape <c>S</c> along a new first axis: the result has shape <c>[N, S…]</c> and entry i
    /// is <c>samples[i]</c> (Flux's <c>batch</c>, NumPy's <c>stack</c>). Differentiable: composed of
    /// <see cref="Reshape(int[])"/> and <see cref="Concat(IReadOnlyList{Tensor}, int)"/>.
    /// </summary>
    /// <param name="samples">At least one tensor; all of the same shape and device.</param>
    /// <exception cref="ArgumentException">No samples, or a sample whose shape differs from the first; the message
    /// names the sample's index and both shapes.</exception>
    public static Tensor Batch(IReadOnlyList<Tensor> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("Batch: no samples given", nameof(samples));
        var shape = samples[0].Shape;
        for (int i = 1; i < samples.Count; i++)
            if (samples[i].Shape != shape)
                throw new ArgumentException($"Batch: sample {i} has shape {samples[i].Shape}, sample 0 has {shape}", nameof(samples));
        var dims = new int[shape.Rank + 1];
        dims[0] = 1;
        shape.Dims.CopyTo(dims.AsSpan(1));
        var rows = new Tensor[samples.Count];
        for (int i = 0; i < rows.Length; i++) rows[i] = samples[i].Reshape(new Shape(dims));
        return Concat(rows, 0);
    }

    /// <summary>Stacks samples along a new first axis; see <see cref="Batch(IReadOnlyList{Tensor})"/>.</summary>
    public static Tensor Batch(params Tensor[] samples) => Batch((IReadOnlyList<Tensor>)samples);
}
