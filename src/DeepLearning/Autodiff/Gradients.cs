using System.Collections;

namespace DeepLearning;

/// <summary>The gradients of one <see cref="Autodiff.Gradient"/> call, looked up by source tensor (by reference).</summary>
/// <remarks>
/// Gradients are read-only results: two sources may be handed the same tensor (in <c>(w + b).Sum()</c> both get the
/// incoming gradient unchanged), so modifying or disposing one gradient can change another.
/// </remarks>
public sealed class Gradients : IEnumerable<KeyValuePair<Tensor, Tensor>>
{
    private readonly Dictionary<Tensor, Tensor> _grads;

    internal Gradients(int capacity) => _grads = new Dictionary<Tensor, Tensor>(capacity, ReferenceEqualityComparer.Instance);

    /// <summary>The gradient of the source <paramref name="source"/>, of its shape.</summary>
    /// <exception cref="KeyNotFoundException">The tensor was not one of the sources.</exception>
    public Tensor this[Tensor source] =>
        _grads.TryGetValue(source, out var g) ? g : throw new KeyNotFoundException($"Gradients: {source.Describe()} was not among the sources of this gradient");

    /// <summary>Number of sources.</summary>
    public int Count => _grads.Count;

    /// <summary>Whether <paramref name="source"/> was one of the sources.</summary>
    public bool Contains(Tensor source) => _grads.ContainsKey(source);

    internal void Add(Tensor source, Tensor grad) => _grads.Add(source, grad);

    /// <summary>Forgets every entry, keeping the capacity (a training step refills the same instance).</summary>
    internal void Clear() => _grads.Clear();

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<Tensor, Tensor>> GetEnumerator() => _grads.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
