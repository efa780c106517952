namespace DeepLearning;

public abstract partial class Layer
{
    /// <summary>
    /// Puts this layer and every layer inside it in <paramref name="mode"/> until the returned scope is disposed, which
    /// gives each layer back its own mode (for work that must evaluate whatever mode the user set: summaries, validation).
    /// </summary>
    internal ModeScope Temporarily(LayerMode mode)
    {
        var saved = new List<(Layer, LayerMode)>();
        SaveModes(this, saved);
        SetMode(mode);
        return new ModeScope(saved);
    }

    private static void SaveModes(Layer layer, List<(Layer, LayerMode)> into)
    {
        into.Add((layer, layer.Mode));
        foreach (var (_, child) in layer.Children()) SaveModes(child, into);
    }

    /// <summary>Restores the modes saved by <see cref="Temporarily"/>.</summary>
    internal readonly struct ModeScope(List<(Layer Layer, LayerMode Mode)> saved) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (layer, mode) in saved) layer.Mode = mode;
        }
    }
}
