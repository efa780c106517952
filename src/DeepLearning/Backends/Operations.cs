namespace DeepLearning.Backends;

/// <summary>
/// Element-wise functions of one input, <c>y = f(x, α)</c>. <c>α</c> is the scalar operand where the function
/// has one (the slope of <see cref="LeakyRelu"/>, the addend of <see cref="AddScalar"/> …) and is ignored otherwise.
/// </summary>
public enum UnaryOp
{
    /// <summary><c>y = x</c> (a copy).</summary>
    Identity,
    /// <summary><c>y = -x</c>.</summary>
    Neg,
    /// <summary><c>y = eˣ</c>.</summary>
    Exp,
    /// <summary><c>y = ln x</c>.</summary>
    Log,
    /// <summary><c>y = √x</c>.</summary>
    Sqrt,
    /// <summary><c>y = |x|</c>.</summary>
    Abs,
    /// <summary><c>y = sign(x)</c> in {-1, 0, 1}.</summary>
    Sign,
    /// <summary><c>y = x²</c>.</summary>
    Square,
    /// <summary><c>y = 1 / (1 + e⁻ˣ)</c>.</summary>
    Sigmoid,
    /// <summary><c>y = tanh x</c>.</summary>
    Tanh,
    /// <summary><c>y = max(x, 0)</c>.</summary>
    Relu,
    /// <summary><c>y = x</c> for x &gt; 0, else <c>α·x</c>.</summary>
    LeakyRelu,
    /// <summary><c>y = x + α</c>.</summary>
    AddScalar,
    /// <summary><c>y = α·x</c>.</summary>
    MulScalar,
    /// <summary><c>y = xᵅ</c>.</summary>
    PowScalar,
    /// <summary><c>y = α / x</c>.</summary>
    RDivScalar,
    /// <summary><c>y = αˣ</c>.</summary>
    RPowScalar,
    /// <summary>ELU: <c>y = x</c> for x &gt; 0, else <c>α(eˣ − 1)</c>.</summary>
    Elu,
    /// <summary>GELU, tanh form: <c>y = x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))</c>.</summary>
    Gelu,
    /// <summary>Swish / SiLU: <c>y = x · σ(x)</c>.</summary>
    Swish,
    /// <summary>Softplus: <c>y = ln(1 + eˣ)</c>, computed as <c>max(x, 0) + ln(1 + e^−|x|)</c>.</summary>
    Softplus,
    /// <summary>Hard sigmoid (PyTorch's definition): <c>y = clamp(x/6 + 1/2, 0, 1)</c>.</summary>
    HardSigmoid,
    /// <summary><c>y = sin x</c> (radians).</summary>
    Sin,
    /// <summary><c>y = cos x</c> (radians).</summary>
    Cos,
}

/// <summary>Element-wise functions of two broadcast inputs, <c>y = f(a, b)</c>.</summary>
public enum BinaryOp
{
    /// <summary><c>a + b</c>.</summary>
    Add,
    /// <summary><c>a - b</c>.</summary>
    Sub,
    /// <summary><c>a · b</c>.</summary>
    Mul,
    /// <summary><c>a / b</c>.</summary>
    Div,
    /// <summary><c>aᵇ</c>.</summary>
    Pow,
    /// <summary><c>max(a, b)</c>; NaN if either is NaN.</summary>
    Maximum,
    /// <summary><c>min(a, b)</c>; NaN if either is NaN.</summary>
    Minimum,
    /// <summary>1 where <c>a ≥ b</c>, else 0.</summary>
    GreaterEqual,
    /// <summary>1 where <c>a &gt; b</c>, else 0.</summary>
    Greater,
    /// <summary>1 where <c>a == b</c>, else 0.</summary>
    Equal,
    /// <summary><c>a</c> where <c>b ≠ 0</c> (NaN counts as nonzero), else 0: one half of a select, exact for any a.</summary>
    KeepWhere,
    /// <summary><c>a</c> where <c>b = 0</c>, else 0: the other half of a select.</summary>
    KeepWhereNot,
}

/// <summary>Reductions along one axis.</summary>
public enum ReduceOp
{
    /// <summary>Sum of the elements.</summary>
    Sum,
    /// <summary>Arithmetic mean.</summary>
    Mean,
    /// <summary>Maximum; NaN if any element is NaN.</summary>
    Max,
    /// <summary>Minimum; NaN if any element is NaN.</summary>
    Min,
}
