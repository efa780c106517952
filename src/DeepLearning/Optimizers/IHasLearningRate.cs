namespace DeepLearning;

/// <summary>A rule with a learning rate η that schedules and callbacks may change between steps.</summary>
public interface IHasLearningRate
{
    /// <summary>The learning rate η (≥ 0); setting it takes effect from the next step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    float LearningRate { get; set; }
}
