using DeepLearning.Backends;

namespace DeepLearning;

// A dense layer's affine map as one op: the product, the bias and (for ReLU) the activation in one backend kernel,
// with one rule. Composed from MatMul, + and Relu it would make three passes over the output and keep two
// intermediates alive for the backward pass; here the output alone is saved (ReLU's derivative is [y > 0]).
public partial class Tensor
{
    /// <summary>
    /// PyTorch's <c>F.linear</c>: <c>input·weightᵀ + bias</c> for <paramref name="input"/> <c>[batch, in]</c>,
    /// <paramref name="weight"/> <c>[out, in]</c> and <paramref name="bias"/> <c>[out]</c> (optional), in one kernel.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, or the tensors are on different devices.</exception>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) => Linear(input, weight, bias, relu: false);

    /// <summary><see cref="Linear(Tensor, Tensor, Tensor?)"/>, followed by ReLU when <paramref name="relu"/>, still one kernel.</summary>
    internal static Tensor Linear(Tensor input, Tensor weight, Tensor? bias, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        Kernels.SameDevice("Linear", input, weight);
        if (input.Rank != 2 || weight.Rank != 2 || weight.Shape[1] != input.Shape[1])
            throw new ArgumentException($"Linear: expects input [batch, in] and weight [out, in], got {input.Shape} and {weight.Shape}");
        int m = input.Shape[0], k = input.Shape[1], n = weight.Shape[0];
        if (bias is not null)
        {
            Kernels.SameDevice("Linear", input, bias);
            if (bias.Rank != 1 || bias.Shape[0] != n)
                throw new ArgumentException($"Linear: bias {bias.Shape} does not fit weight {weight.Shape} (expected [{n}])");
        }
        var y = Create(Shape.Of(m, n), input.Device);
        input.Backend.GemmBiasActivation(false, true, m, n, k, input.Buffer, input.Offset, k, weight.Buffer, weight.Offset, k,
            bias?.Buffer, bias?.Offset ?? 0, relu ? UnaryOp.Relu : UnaryOp.Identity, 0f, y.Buffer, y.Offset);
        if (Tape.Record(y, input, weight, bias, LinearRule) is { } node) node.Int = relu ? 1 : 0;
        return y;
    }

    // y = f(x·Wᵀ + b):  gz = g ⊙ f′ (for ReLU, [y > 0], read from y since y > 0 exactly where x·Wᵀ + b > 0);
    // dx = gz·W,  dW = gzᵀ·x,  db = Σ_batch gz.
    private static readonly BackwardRule LinearRule = static (n, g) =>
    {
        var tape = Tape.Current!;
        Tensor x = n.A, w = n.B!;
        var gz = n.Int == 1 ? Kernels.UnaryBackward(UnaryOp.Relu, 0, n.Output, n.Output, g) : g;
        if (tape.Tracks(x)) tape.Accumulate(x, Product(gz, w, false, false));
        if (tape.Tracks(w)) tape.Accumulate(w, Product(gz, x, true, false));
        if (n.C is { } b && tape.Tracks(b)) tape.Accumulate(b, Kernels.Reduce(ReduceOp.Sum, gz, 0));
    };
}
