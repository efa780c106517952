namespace DeepLearning;

/// <summary>
/// A plain function of a tensor as a layer without parameters (Keras' <c>Lambda</c>): how a <see cref="Chain"/> holds
/// <see cref="Activations.Softmax"/> or any <c>x =&gt; …</c>.
/// </summary>
public sealed class Lambda : Layer
{
    /// <summary>Wraps <paramref name="function"/>.</summary>
    /// <param name="function">The function applied by <see cref="Forward"/>.</param>
    /// <param name="name">The name it prints with; by default its method name (<c>Softmax</c>), or λ for a lambda.</param>
    public Lambda(Func<Tensor, Tensor> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        Function = function;
        Name = name ?? Activations.NameOf(function);
    }

    /// <summary>The wrapped function.</summary>
    public Func<Tensor, Tensor> Function { get; }

    /// <summary>The name it prints with.</summary>
    public string Name { get; }

    /// <summary>Applies the function.</summary>
    public override Tensor Forward(Tensor input) => Function(input);

    /// <summary>The function's name.</summary>
    public override string ToString() => Name;
}
