namespace DeepLearning;

/// <summary>
/// The state one <see cref="OptimizerRule"/> keeps for one parameter: its moment tensors, the number of steps taken,
/// and, for a chain, the states of the inner rules. Its tensors belong to no <see cref="TensorScope"/>: they live as
/// long as the optimizer.
/// </summary>
public sealed class OptimizerState
{
    /// <summary>Creates a state holding <paramref name="tensors"/> and the inner rules' <paramref name="children"/>.</summary>
    /// <param name="tensors">The moment tensors (make them with <see cref="ZerosLike"/> so no scope releases them).</param>
    /// <param name="children">The states of the rules inside a composite rule, in order.</param>
    public OptimizerState(IReadOnlyList<Tensor>? tensors = null, IReadOnlyList<OptimizerState>? children = null)
    {
        Tensors = tensors ?? [];
        Children = children ?? [];
    }

    /// <summary>The moment tensors (for Adam: <c>m</c>, <c>v</c>), each of the parameter's shape.</summary>
    public IReadOnlyList<Tensor> Tensors { get; }

    /// <summary>The states of the inner rules of an <see cref="OptimizerChain"/>, in order.</summary>
    public IReadOnlyList<OptimizerState> Children { get; }

    /// <summary>Number of steps this rule has taken for the parameter (Adam's <c>t</c> after its update).</summary>
    public int Step { get; set; }

    /// <summary>A zero tensor of <paramref name="param"/>'s shape and device that belongs to no scope.</summary>
    /// <exception cref="ArgumentNullException">The parameter is null.</exception>
    public static Tensor ZerosLike(Tensor param)
    {
        ArgumentNullException.ThrowIfNull(param);
        return OptimizerUpdates.Persistent(param);
    }
}
