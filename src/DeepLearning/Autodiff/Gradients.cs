using System.Collections;

namespace DeepLearning;

/// <summary>The gradients of one <see cref="Autodiff.Gradient"/> call, looked up by source tensor (by reference).</summary>
/// <remarks>
/// Gradients are read-only results: two sources may be handed the same tensor (in <c>(w + b).Sum()</c> both get the
/// incoming gradient unchanged), so modifying or disposing one gradient can change another.
/// </remarks>
public sealed class Gradients : IEnumerable<KeyValuePair<Tensor, Tensor>>
{
    private readonly Dictionary<Tensor, Tensor?> _grads;

    internal Gradients(int capacity) => _grads = new Dictionary<Tensor, Tensor?>(capacity, ReferenceEqualityComparer.Instance);

    /// <summary>The gradient of the source <paramref name="source"/>, of its shape.</summary>
    /// <exception cref="KeyNotFoundException">The tensor was not one of the sources.</exception>
    public Tensor this[Tensor source] =>
        _grads.TryGetValue(source, out var g) && g is not null ? g : throw new KeyNotFoundException($"Gradients: {source.Describe()} was not among the sources of this gradient");

    /// <summary>Number of sources.</summary>
    public int Count => _grads.Count;

    /// <summary>Whether <paramref name="source"/> was one of the sources.</summary>
    public bool Contains(Tensor source) => _grads.ContainsKey(source);

    /// <summary>Number of sources the value depends on (the others got zeros): 0 means the loss ignores every source.</summary>
    internal int Connected { get; set; }

    /// <summary>Adds a source's gradient; null stands for zeros, made by <see cref="FillMissing"/>.</summary>
    internal void Add(Tensor source, Tensor? grad) => _grads.Add(source, grad);

    /// <summary>Sets the gradient of a source already present (data-parallel training swaps in the mean over processes).</summary>
    internal void Replace(Tensor source, Tensor grad)
    {
        if (!_grads.ContainsKey(source)) throw new KeyNotFoundException($"Gradients: {source.Describe()} was not among the sources of this gradient");
        _grads[source] = grad;
    }

    /// <summary>Gives every source added with a null gradient a tensor of zeros of its shape, in the current scope.</summary>
    internal void FillMissing()
    {
        if (Connected == _grads.Count) return;
        foreach (var source in _grads.Keys.ToArray())
            _grads[source] ??= Tensor.Zeros(source.Shape, source.Device);
    }

    /// <summary>Forgets every entry, keeping the capacity (a training step refills the same instance).</summary>
    internal void Clear()
    {
        _grads.Clear();
        Connected = 0;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<Tensor, Tensor>> GetEnumerator()
    {
        foreach (var (source, grad) in _grads) yield return new(source, grad!);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
