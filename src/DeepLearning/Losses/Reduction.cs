namespace DeepLearning;

/// <summary>How a loss turns per-element (or per-sample) losses into its result.</summary>
public enum Reduction
{
    /// <summary>The mean: over all elements for element-wise losses, over samples for the categorical ones.</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: the per-element (or per-sample) losses, for weighting or masking them yourself.</summary>
    None,
}
