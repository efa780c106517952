namespace DeepLearning.Tests.Ops;

// The SIMD bodies of the activation ops against their scalar bodies: every length 0..80 (vector bodies and tails) at
// an unaligned offset (a slice starting at element 1), forward and fused backward.
public class ActivationOpsTests
{
    public static TheoryData<string> Ops() => ["Elu", "Gelu", "Swish", "Softplus", "HardSigmoid"];

    private static Tensor Apply(string op, Tensor x) => op switch
    {
        "Elu" => x.Elu(0.7f),
        "Gelu" => x.Gelu(),
        "Swish" => x.Swish(),
        "Softplus" => x.Softplus(),
        "HardSigmoid" => x.HardSigmoid(),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void Vector_bodies_match_elementwise_results_at_every_length(string op)
    {
        for (int n = 0; n <= 80; n++)
        {
            var all = Tensor.Uniform(new Shape(n + 1), -8f, 8f, (ulong)n);
            var x = all.Slice(1, n);
            var (y, grads) = (Apply(op, x), Autodiff.Gradient(() => (Apply(op, x) * x).Sum(), [x]));
            var ys = y.ToArray();
            var gs = grads[x].ToArray();
            var xs = x.ToArray();
            for (int i = 0; i < n; i++)
            {
                // Each element alone takes the scalar tail; the vector body must agree with it.
                var xi = Tensor.FromArray([xs[i]]);
                Close(Apply(op, xi).Item(), ys[i], 1e-5, $"{op}({xs[i]}), n = {n}");
                float gi = Autodiff.Gradient(() => (Apply(op, xi) * xi).Sum(), [xi])[xi].Item();
                Close(gi, gs[i], 1e-4, $"{op}'({xs[i]}), n = {n}");
            }
        }
    }

    private static void Close(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    [Fact]
    public void Elu_uses_its_alpha_and_its_derivative_is_alpha_exp()
    {
        var x = Tensor.FromArray([-1f, 2f]);
        var y = x.Elu(0.5f).ToArray();
        Assert.Equal(0.5 * (Math.Exp(-1) - 1), y[0], 5);
        Assert.Equal(2f, y[1]);
        var g = Autodiff.Gradient(() => x.Elu(0.5f).Sum(), [x])[x].ToArray();
        Assert.Equal(0.5 * Math.Exp(-1), g[0], 5);
        Assert.Equal(1f, g[1]);
    }

    [Fact]
    public void Dropout_op_gradient_is_the_mask()
    {
        var x = Tensor.Uniform(new Shape(6, 7), -1f, 1f, 3);
        var y = x.Dropout(0.4f, 11, 0).ToArray();
        var g = Autodiff.Gradient(() => x.Dropout(0.4f, 11, 0).Sum(), [x])[x].ToArray();
        var xs = x.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            Assert.True(g[i] == 0f || Math.Abs(g[i] - 1 / 0.6f) < 1e-6, $"mask value {g[i]}");
            Assert.Equal(xs[i] * g[i], y[i], 6);
        }
        var check = GradientCheck.Run(() => (x.Dropout(0.4f, 11, 0) * x).Sum(), [x]);
        Assert.True(check.Passed, check.ToString());
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void Dropout_op_rejects_probabilities_outside_unit_interval(float p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Ones(3).Dropout(p, 1, 0));
        Assert.Contains("Dropout", e.Message, StringComparison.Ordinal);
    }
}
