using DeepLearning.Backends;

namespace DeepLearning;

// Activation functions that are single backend maps: the forward map and its fused derivative (the backend's
// UnaryBackward) form one row each, so adding an activation is adding a UnaryOp and its two kernel bodies.
public partial class Tensor
{
    /// <summary>Logistic sigmoid <c>σ(x) = 1 / (1 + e⁻ˣ)</c>; derivative <c>σ(x)(1 − σ(x))</c>.</summary>
    public Tensor Sigmoid() => Map(UnaryOp.Sigmoid, 0, this);

    /// <summary>Hyperbolic tangent; derivative <c>1 − tanh²x</c>.</summary>
    public Tensor Tanh() => Map(UnaryOp.Tanh, 0, this);

    /// <summary>Rectified linear unit <c>max(x, 0)</c>; derivative 1 for x &gt; 0, else 0.</summary>
    public Tensor Relu() => Map(UnaryOp.Relu, 0, this);

    /// <summary>Leaky ReLU: <c>x</c> for x &gt; 0, else <c>α·x</c>; derivative 1 or α.</summary>
    /// <param name="alpha">Slope for negative inputs (Flux and PyTorch default 0.01).</param>
    public Tensor LeakyRelu(float alpha = 0.01f) => Map(UnaryOp.LeakyRelu, alpha, this);

    /// <summary>ELU: <c>x</c> for x &gt; 0, else <c>α(eˣ − 1)</c>; derivative 1, or <c>α·eˣ</c> (= y + α).</summary>
    /// <param name="alpha">Saturation value for negative inputs (Flux and PyTorch default 1).</param>
    public Tensor Elu(float alpha = 1f) => Map(UnaryOp.Elu, alpha, this);

    /// <summary>
    /// GELU, tanh approximation (Flux's <c>gelu</c>; PyTorch's <c>gelu(approximate="tanh")</c>):
    /// <c>x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))</c>; differs from the erf form by less than 1e-3.
    /// </summary>
    public Tensor Gelu() => Map(UnaryOp.Gelu, 0, this);

    /// <summary>Swish (also called SiLU): <c>x·σ(x)</c>; derivative <c>σ(x)(1 + x(1 − σ(x)))</c>.</summary>
    public Tensor Swish() => Map(UnaryOp.Swish, 0, this);

    /// <summary>Softplus <c>ln(1 + eˣ)</c>, computed stably as <c>max(x, 0) + ln(1 + e^−|x|)</c>; derivative <c>σ(x)</c>.</summary>
    public Tensor Softplus() => Map(UnaryOp.Softplus, 0, this);

    /// <summary>Hard sigmoid (PyTorch's definition): <c>clamp(x/6 + 1/2, 0, 1)</c>; derivative 1/6 on (−3, 3), else 0.</summary>
    public Tensor HardSigmoid() => Map(UnaryOp.HardSigmoid, 0, this);
}
