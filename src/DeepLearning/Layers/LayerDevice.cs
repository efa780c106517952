namespace DeepLearning;

// Placement of a model: its parameters and buffers move together, in place, so the Parameter objects that optimizers
// and gradients are keyed by stay the same objects.
public abstract partial class Layer : IDisposable
{
    /// <summary>
    /// The device holding this layer's parameters and buffers (those of its children included), or null for a layer
    /// without any (an activation).
    /// </summary>
    /// <exception cref="InvalidOperationException">They are spread over several devices (a move failed part-way).</exception>
    public Device? Device
    {
        get
        {
            Device? device = null;
            foreach (var t in State())
            {
                if (device is null) device = t.Device;
                else if (device != t.Device)
                    throw new InvalidOperationException($"{this}: its parameters and buffers are on several devices ({device} and {t.Device}); move the model with To(device)");
            }
            return device;
        }
    }

    /// <summary>
    /// Moves every parameter and buffer (BatchNorm's running statistics) of this layer and its children to
    /// <paramref name="device"/>, in place: the same <see cref="Parameter"/> objects, their memory now on the device.
    /// An optimizer set up before the move must follow it (<c>opt.To(device)</c>) or be set up again.
    /// </summary>
    /// <param name="device">The device to move to.</param>
    internal void MoveTo(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        foreach (var t in State()) t.MoveTo(device);
    }

    /// <summary>Releases the memory of every parameter and buffer of this layer and its children (device memory on a GPU).</summary>
    public void Dispose()
    {
        foreach (var t in State()) t.Dispose();
        GC.SuppressFinalize(this);
    }

    private IEnumerable<Tensor> State()
    {
        foreach (var (_, p) in NamedParameters()) yield return p;
        foreach (var (_, b) in NamedBuffers()) yield return b;
    }
}

/// <summary>Placement of models on devices.</summary>
public static class LayerDevices
{
    /// <summary>
    /// Moves <paramref name="model"/>'s parameters and buffers to <paramref name="device"/> in place (PyTorch's
    /// <c>model.to(device)</c>) and returns the model, typed as it was: <c>var model = new Chain(…).To(gpu);</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException">The model or device is null.</exception>
    public static T To<T>(this T model, Device device) where T : Layer
    {
        ArgumentNullException.ThrowIfNull(model);
        model.MoveTo(device);
        return model;
    }
}
