namespace DeepLearning;

/// <summary>
/// Activation functions as static <c>Func&lt;Tensor, Tensor&gt;</c> values: call them on tensors (<c>Relu(x)</c>), pass them as
/// a layer's activation (<c>new Dense(784, 128, Relu)</c>) or put them in a chain (<c>new Chain(…, Softmax)</c>) after
/// <c>using static DeepLearning.Activations;</c>. Each
/// is one differentiable op whose derivative is fused in the backend (see the matching <see cref="Tensor"/> method).
/// </summary>
/// <remarks>
/// Parameterised forms take a lambda: <c>x =&gt; x.LeakyRelu(0.2f)</c>, <c>x =&gt; x.Elu(0.5f)</c>. A layer prints an
/// activation of this class by its name, a method by the method's name, and a lambda as <c>λ</c>. (They are delegate
/// fields rather than methods so that they convert to <c>object</c> as a <see cref="Chain"/> element.)
/// </remarks>
public static class Activations
{
    // Declared first: static initialisers run in textual order, and every field below registers its name here.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Func<Tensor, Tensor>, string> Names = [];

    /// <summary>The identity, <c>x</c> itself (a Dense layer's default activation).</summary>
    public static readonly Func<Tensor, Tensor> Identity = Named("Identity", x => x);

    /// <summary>Logistic sigmoid <c>1 / (1 + e⁻ˣ)</c>.</summary>
    public static readonly Func<Tensor, Tensor> Sigmoid = Named("Sigmoid", x => x.Sigmoid());

    /// <summary>Alias of <see cref="Sigmoid"/>, as Flux names it.</summary>
    public static readonly Func<Tensor, Tensor> σ = Named("σ", x => x.Sigmoid());

    /// <summary>Rectified linear unit <c>max(x, 0)</c>.</summary>
    public static readonly Func<Tensor, Tensor> Relu = Named("Relu", x => x.Relu());

    /// <summary>Leaky ReLU with slope α = 0.01 below 0 (for another slope: <c>x =&gt; x.LeakyRelu(α)</c>).</summary>
    public static readonly Func<Tensor, Tensor> LeakyRelu = Named("LeakyRelu", x => x.LeakyRelu());

    /// <summary>Hyperbolic tangent.</summary>
    public static readonly Func<Tensor, Tensor> Tanh = Named("Tanh", x => x.Tanh());

    /// <summary>Softmax over the features (last axis): <c>eˣⁱ / Σⱼ eˣʲ</c>.</summary>
    public static readonly Func<Tensor, Tensor> Softmax = Named("Softmax", x => x.Softmax());

    /// <summary>Log-softmax over the features (last axis): <c>xᵢ − log Σⱼ eˣʲ</c>, stable.</summary>
    public static readonly Func<Tensor, Tensor> LogSoftmax = Named("LogSoftmax", x => x.LogSoftmax());

    /// <summary>ELU with α = 1: <c>x</c> for x &gt; 0, else <c>eˣ − 1</c>.</summary>
    public static readonly Func<Tensor, Tensor> Elu = Named("Elu", x => x.Elu());

    /// <summary>GELU, tanh form: <c>x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))</c>.</summary>
    public static readonly Func<Tensor, Tensor> Gelu = Named("Gelu", x => x.Gelu());

    /// <summary>Swish <c>x·σ(x)</c> (the same function as <see cref="SiLU"/>).</summary>
    public static readonly Func<Tensor, Tensor> Swish = Named("Swish", x => x.Swish());

    /// <summary>SiLU <c>x·σ(x)</c> (the same function as <see cref="Swish"/>).</summary>
    public static readonly Func<Tensor, Tensor> SiLU = Named("SiLU", x => x.Swish());

    /// <summary>Softplus <c>ln(1 + eˣ)</c>, stable for large |x|.</summary>
    public static readonly Func<Tensor, Tensor> Softplus = Named("Softplus", x => x.Softplus());

    /// <summary>Hard sigmoid <c>clamp(x/6 + 1/2, 0, 1)</c> (PyTorch's definition).</summary>
    public static readonly Func<Tensor, Tensor> HardSigmoid = Named("HardSigmoid", x => x.HardSigmoid());

    /// <summary>The name a layer prints for <paramref name="function"/>: its method name, or λ for a lambda.</summary>
    internal static string NameOf(Func<Tensor, Tensor> function)
    {
        if (Names.TryGetValue(function, out var known)) return known;
        var name = function.Method.Name;
        return name.Contains('<', StringComparison.Ordinal) ? "λ" : name;
    }

    private static Func<Tensor, Tensor> Named(string name, Func<Tensor, Tensor> function)
    {
        Names.Add(function, name);
        return function;
    }
}
