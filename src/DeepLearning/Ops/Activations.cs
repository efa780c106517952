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
}
