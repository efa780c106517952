namespace DeepLearning;

/// <summary>
/// Switches a whole model between training and evaluation. Extension methods so that they return the model's own
/// type: <c>var bn = new BatchNorm(4).TrainMode();</c> is still a <see cref="BatchNorm"/>.
/// </summary>
public static class LayerModes
{
    /// <summary>Puts <paramref name="layer"/> and every layer inside it in training mode (Flux's <c>trainmode!</c>, PyTorch's <c>train()</c>).</summary>
    /// <returns>The same layer.</returns>
    public static T TrainMode<T>(this T layer) where T : Layer => With(layer, LayerMode.Train);

    /// <summary>Puts <paramref name="layer"/> and every layer inside it in evaluation mode (Flux's <c>testmode!</c>, PyTorch's <c>eval()</c>).</summary>
    /// <returns>The same layer.</returns>
    public static T TestMode<T>(this T layer) where T : Layer => With(layer, LayerMode.Test);

    /// <summary>Returns <paramref name="layer"/> and every layer inside it to the automatic mode: training exactly while a gradient is taken.</summary>
    /// <returns>The same layer.</returns>
    public static T AutoMode<T>(this T layer) where T : Layer => With(layer, LayerMode.Auto);

    private static T With<T>(T layer, LayerMode mode) where T : Layer
    {
        ArgumentNullException.ThrowIfNull(layer);
        layer.SetMode(mode);
        return layer;
    }
}
