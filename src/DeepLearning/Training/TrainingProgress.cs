namespace DeepLearning;

/// <summary>Where training stands after a batch, reported through <see cref="IProgress{T}"/> by <see cref="Trainer.Train"/> and <c>Fit</c>.</summary>
public sealed record TrainingProgress
{
    /// <summary>The epoch, counting from 0.</summary>
    public int Epoch { get; init; }

    /// <summary>The number of epochs of the run (1 for a lone <see cref="Trainer.Train"/>).</summary>
    public int Epochs { get; init; }

    /// <summary>The batch just finished, counting from 0 within the epoch.</summary>
    public int Batch { get; init; }

    /// <summary>Batches per epoch, when the data says how many it holds without being enumerated; else null.</summary>
    public int? BatchesPerEpoch { get; init; }

    /// <summary>The mean loss of the epoch so far, weighted by batch size.</summary>
    public float Loss { get; init; }

    /// <summary>
    /// The running means of <c>Fit</c>'s metrics over the epoch so far, by name; empty without metrics and from
    /// <see cref="Trainer.Train"/>.
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = Empty;

    private static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();

    /// <summary>Samples (rows of X) trained on per second in this epoch so far.</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>Time since the epoch began.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to the end of the epoch (null when <see cref="BatchesPerEpoch"/> is unknown).</summary>
    public TimeSpan? Remaining { get; init; }
}
