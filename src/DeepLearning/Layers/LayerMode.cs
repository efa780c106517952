namespace DeepLearning;

/// <summary>How a layer with training-only behaviour (dropout, batch statistics) decides whether it is training.</summary>
public enum LayerMode
{
    /// <summary>Training exactly while a gradient is being recorded (<see cref="Autodiff.IsRecording"/>); the default.</summary>
    Auto,
    /// <summary>Always training.</summary>
    Train,
    /// <summary>Always evaluating (inference).</summary>
    Test,
}
