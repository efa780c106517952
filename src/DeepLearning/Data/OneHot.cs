namespace DeepLearning;

// Flux's onehotbatch / onecold: class labels to one-hot rows and back.
public partial class Tensor
{
    /// <summary>
    /// One-hot encoding of class labels (Flux's <c>onehotbatch</c>): a tensor of shape <c>[N, classes]</c> with
    /// <c>y[i, labels[i]] = 1</c> and every other element 0.
    /// </summary>
    /// <param name="labels">N labels, each in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes (the width of each row).</param>
    /// <param name="device">Device (CPU when null).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive, or a label is outside
    /// [0, classes); the message names the label, its index and the class count.</exception>
    public static Tensor OneHot(ReadOnlySpan<int> labels, int classes, Device? device = null)
    {
        if (classes <= 0)
            throw new ArgumentOutOfRangeException(nameof(classes), $"OneHot: the class count must be positive, got {classes}");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"OneHot: label {labels[i]} at index {i} is outside [0, {classes}) for {classes} classes");
        var data = new float[(long)labels.Length * classes];
        for (int i = 0; i < labels.Length; i++) data[(long)i * classes + labels[i]] = 1f;
        return FromSpan(data, new Shape(labels.Length, classes), device);
    }

    /// <summary>
    /// The class of each row (Flux's <c>onecold</c>): the index of the largest element along the last axis, the first
    /// one on ties. Scores of shape <c>[N, classes]</c> give N labels; a vector gives one.
    /// </summary>
    /// <returns>The labels, one per row (the product of all dimensions but the last).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The tensor is a scalar.</exception>
    /// <exception cref="InvalidOperationException">The last axis is empty.</exception>
    public int[] OneCold() => ArgMax(-1);
}
