namespace DeepLearning;

/// <summary>
/// A trainable tensor: the weights of a layer. Unlike other tensors it belongs to no <see cref="TensorScope"/> (it
/// outlives training steps) and optimizers update it in place.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Creates a parameter holding a copy of <paramref name="value"/>.</summary>
    /// <param name="value">The initial value.</param>
    /// <param name="name">A name for messages and state dicts, such as <c>0.weight</c>.</param>
    public Parameter(Tensor value, string? name = null)
        : base(CheckNotNull(value).Shape, value.Device, value.Device.Backend.Allocate(value.Length), 0, scoped: false)
    {
        Backend.CopyBlocks(value.Buffer, value.Offset, 0, Buffer, 0, 0, value.Length, 1);
        Name = name;
    }

    /// <summary>Overwrites the value with a copy of <paramref name="value"/>, in place.</summary>
    /// <exception cref="ArgumentException">The shapes or devices differ.</exception>
    public void Assign(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Shape != Shape)
            throw new ArgumentException($"Assign: value of shape {value.Shape} does not fit {Describe()}", nameof(value));
        Kernels.SameDevice("Assign", this, value);
        Backend.CopyBlocks(value.Buffer, value.Offset, 0, Buffer, Offset, 0, Length, 1);
    }

    private static Tensor CheckNotNull(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value;
    }
}
