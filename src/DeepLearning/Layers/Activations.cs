namespace DeepLearning;

/// <summary>
/// Activation functions as plain static functions of a tensor: call them on tensors (<c>Relu(x)</c>) or pass them as
/// a layer's activation (<c>new Dense(784, 128, Relu)</c>) after <c>using static DeepLearning.Activations;</c>. Each
/// is one differentiable op whose derivative is fused in the backend (see the matching <see cref="Tensor"/> method).
/// </summary>
/// <remarks>
/// Parameterised forms take a lambda: <c>x =&gt; x.LeakyRelu(0.2f)</c>, <c>x =&gt; x.Elu(0.5f)</c>. A layer prints an
/// activation by its method name, and a lambda as <c>λ</c>.
/// </remarks>
public static class Activations
{
    /// <summary>The identity, <c>x</c> itself (a Dense layer's default activation).</summary>
    public static Tensor Identity(Tensor x) => x;

    /// <summary>Logistic sigmoid <c>1 / (1 + e⁻ˣ)</c>.</summary>
    public static Tensor Sigmoid(Tensor x) => Check(x).Sigmoid();

    /// <summary>Alias of <see cref="Sigmoid"/>, as Flux names it.</summary>
    public static Tensor σ(Tensor x) => Check(x).Sigmoid();

    /// <summary>Rectified linear unit <c>max(x, 0)</c>.</summary>
    public static Tensor Relu(Tensor x) => Check(x).Relu();

    /// <summary>Leaky ReLU with slope α = 0.01 below 0 (for another slope: <c>x =&gt; x.LeakyRelu(α)</c>).</summary>
    public static Tensor LeakyRelu(Tensor x) => Check(x).LeakyRelu();

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => Check(x).Tanh();

    /// <summary>Softmax over the features (last axis): <c>eˣⁱ / Σⱼ eˣʲ</c>.</summary>
    public static Tensor Softmax(Tensor x) => Check(x).Softmax();

    /// <summary>Log-softmax over the features (last axis): <c>xᵢ − log Σⱼ eˣʲ</c>, stable.</summary>
    public static Tensor LogSoftmax(Tensor x) => Check(x).LogSoftmax();

    /// <summary>ELU with α = 1: <c>x</c> for x &gt; 0, else <c>eˣ − 1</c>.</summary>
    public static Tensor Elu(Tensor x) => Check(x).Elu();

    /// <summary>GELU, tanh form: <c>x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))</c>.</summary>
    public static Tensor Gelu(Tensor x) => Check(x).Gelu();

    /// <summary>Swish <c>x·σ(x)</c> (the same function as <see cref="SiLU"/>).</summary>
    public static Tensor Swish(Tensor x) => Check(x).Swish();

    /// <summary>SiLU <c>x·σ(x)</c> (the same function as <see cref="Swish"/>).</summary>
    public static Tensor SiLU(Tensor x) => Check(x).Swish();

    /// <summary>Softplus <c>ln(1 + eˣ)</c>, stable for large |x|.</summary>
    public static Tensor Softplus(Tensor x) => Check(x).Softplus();

    /// <summary>Hard sigmoid <c>clamp(x/6 + 1/2, 0, 1)</c> (PyTorch's definition).</summary>
    public static Tensor HardSigmoid(Tensor x) => Check(x).HardSigmoid();

    /// <summary>The name a layer prints for <paramref name="function"/>: its method name, or λ for a lambda.</summary>
    internal static string NameOf(Func<Tensor, Tensor> function)
    {
        var name = function.Method.Name;
        return name.Contains('<', StringComparison.Ordinal) ? "λ" : name;
    }

    private static Tensor Check(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x;
    }
}
