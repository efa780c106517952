namespace DeepLearning.Tests.Training;

/// <summary>A test-only linear layer <c>y = x·Wᵀ + b</c> (the Layers folder's Dense is built elsewhere).</summary>
public sealed class TinyLinear : Layer
{
    public TinyLinear(int inputs, int outputs, ulong seed)
    {
        Weight = new Parameter(Tensor.Normal(new Shape(outputs, inputs), 0f, 0.5f, seed), "weight");
        Bias = new Parameter(Tensor.Zeros(outputs), "bias");
    }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public override Tensor Forward(Tensor input) => Tensor.MatMul(input, Weight, transposeB: true) + Bias;

    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() => [new("weight", Weight), new("bias", Bias)];

    /// <summary>Mean squared error, written with ops (the Losses folder is built elsewhere).</summary>
    public static Tensor Mse(Tensor yhat, Tensor y) => (yhat - y).Square().Mean();

    /// <summary>A regression problem: y = x·Aᵀ + c with A = [[2, −1, 0.5]], c = 0.3, for <paramref name="n"/> samples.</summary>
    public static (Tensor X, Tensor Y) Problem(int n, ulong seed)
    {
        var x = Tensor.Normal(new Shape(n, 3), 0f, 1f, seed);
        var xs = x.ToArray();
        var ys = new float[n];
        for (int i = 0; i < n; i++) ys[i] = 2 * xs[3 * i] - xs[3 * i + 1] + 0.5f * xs[3 * i + 2] + 0.3f;
        return (x, Tensor.FromSpan(ys, new Shape(n, 1)));
    }

    /// <summary>Splits (x, y) into consecutive batches of <paramref name="size"/> rows (the last may be shorter).</summary>
    public static List<(Tensor X, Tensor Y)> Batches(Tensor x, Tensor y, int size)
    {
        var list = new List<(Tensor X, Tensor Y)>();
        for (int start = 0; start < x.Shape[0]; start += size)
        {
            int len = Math.Min(size, x.Shape[0] - start);
            list.Add((x.Slice(start, len), y.Slice(start, len)));
        }
        return list;
    }
}
