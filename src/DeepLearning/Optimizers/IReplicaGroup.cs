namespace DeepLearning;

/// <summary>
/// The replicas of a model trained data-parallel, as the optimizer and the training loops see them: the extension point
/// through which <c>DataParallel</c> (in Distributed/, which DESIGN.md §2 puts below the loops, so they know it only by
/// this interface) joins in. <see cref="Optimizer.Update"/> has the gradients averaged before its rule moves a
/// parameter — as Keras' <c>apply_gradients</c> under a distribution strategy does — so <c>Trainer.TrainStep</c>,
/// <c>Train</c>, <c>Fit</c> and hand-written loops all train data-parallel unchanged; <c>Train</c> and <c>Fit</c> sum
/// their epoch numbers across the replicas, and let only the main process print and save.
/// </summary>
internal interface IReplicaGroup
{
    /// <summary>This replica's index, from 0 (the main process) to <see cref="WorldSize"/> − 1.</summary>
    int Rank { get; }

    /// <summary>The number of replicas.</summary>
    int WorldSize { get; }

    /// <summary>
    /// Replaces each parameter's entry of <paramref name="grads"/> by its mean over all replicas (collectively: every
    /// replica calls it once per update). Must not change the gradient tensors themselves: they may be shared.
    /// </summary>
    void AverageGradients(IReadOnlyList<Parameter> parameters, Gradients grads);

    /// <summary>Replaces each value by its sum over all replicas, the same on every replica (collectively).</summary>
    void Sum(double[] values);
}
