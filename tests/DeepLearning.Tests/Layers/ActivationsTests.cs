using DeepLearning.Tests.Layers;

namespace DeepLearning.Tests.Layers;

public class ActivationsTests
{
    private static double Sig(double x) => 1 / (1 + Math.Exp(-x));

    // One row per activation: the library function, an independent double-precision reference, and the points where
    // it has no derivative (kept away from in gradient checks).
    private static readonly (string Name, Func<Tensor, Tensor> F, Func<double, double> Reference, float[] Kinks)[] Elementwise =
    [
        ("Identity", Activations.Identity, x => x, []),
        ("Sigmoid", Activations.Sigmoid, Sig, []),
        ("σ", Activations.σ, Sig, []),
        ("Relu", Activations.Relu, x => Math.Max(x, 0), [0f]),
        ("LeakyRelu", Activations.LeakyRelu, x => x > 0 ? x : 0.01 * x, [0f]),
        ("Tanh", Activations.Tanh, Math.Tanh, []),
        ("Elu", Activations.Elu, x => x > 0 ? x : Math.Exp(x) - 1, [0f]),
        ("Gelu", Activations.Gelu, x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))), []),
        ("Swish", Activations.Swish, x => x * Sig(x), []),
        ("SiLU", Activations.SiLU, x => x * Sig(x), []),
        ("Softplus", Activations.Softplus, x => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))), []),
        ("HardSigmoid", Activations.HardSigmoid, x => Math.Clamp(x / 6 + 0.5, 0, 1), [-3f, 3f]),
    ];

    public static TheoryData<string> ElementwiseNames() => [.. Elementwise.Select(r => r.Name)];

    public static TheoryData<string> AllNames() => [.. Elementwise.Select(r => r.Name), "Softmax", "LogSoftmax"];

    private static Func<Tensor, Tensor> Function(string name) => name switch
    {
        "Softmax" => Activations.Softmax,
        "LogSoftmax" => Activations.LogSoftmax,
        _ => Elementwise.Single(r => r.Name == name).F,
    };

    [Theory]
    [MemberData(nameof(ElementwiseNames))]
    public void Forward_matches_reference(string name)
    {
        var row = Elementwise.Single(r => r.Name == name);
        // Ordinary values and large ones, where naive forms overflow (Softplus, Gelu, Swish, Elu).
        float[] xs = [.. LayerTesting.Random([97], 1, -6f, 6f).ToArray(), -100f, 100f, -1e4f, 1e4f, 0f];
        var y = row.F(Tensor.FromArray(xs)).ToArray();
        for (int i = 0; i < xs.Length; i++)
            LayerTesting.AssertClose(row.Reference(xs[i]), y[i], 2e-5, $"{name}({xs[i]})");
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Gradient_matches_finite_differences(string name)
    {
        var f = Function(name);
        var kinks = Elementwise.FirstOrDefault(r => r.Name == name).Kinks ?? [];
        var x = LayerTesting.Random([4, 9], 2, -4f, 4f, kinks);
        var result = GradientCheck.Run(() => LayerTesting.WeightedSum(f(x)), [x]);
        Assert.True(result.Passed, $"{name}: {result}");
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Gradient_is_finite_for_large_inputs(string name)
    {
        var f = Function(name);
        var x = Tensor.FromArray(new float[,] { { -100f, 100f, -1e4f }, { 1e4f, 3.5f, -3.5f } });
        var g = Autodiff.Gradient(() => f(x).Sum(), [x])[x].ToArray();
        Assert.All(g, v => Assert.True(float.IsFinite(v), $"{name}: gradient {v}"));
    }

    [Fact]
    public void Softmax_is_over_the_features()
    {
        var x = Tensor.FromArray(new float[,] { { 1f, 2f, 3f }, { 0f, 0f, 0f } });
        var y = Activations.Softmax(x).ToArray2D();
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        LayerTesting.AssertClose(Math.Exp(3) / z, y[0, 2], 1e-6, "softmax[0,2]");
        LayerTesting.AssertClose(1.0 / 3, y[1, 0], 1e-6, "softmax[1,0]");
        LayerTesting.AssertClose(Math.Log(Math.Exp(1) / z), Activations.LogSoftmax(x)[0, 0], 1e-6, "logsoftmax[0,0]");
    }

    [Fact]
    public void Activations_are_layer_arguments_and_print_by_name()
    {
        Assert.Equal("Dense(2 => 3, Relu)", new Dense(2, 3, Activations.Relu, seed: 1).ToString());
        Assert.Equal("Dense(2 => 3, σ)", new Dense(2, 3, Activations.σ, seed: 1).ToString());
        Assert.Equal("Dense(2 => 3, λ)", new Dense(2, 3, x => x.LeakyRelu(0.2f), seed: 1).ToString());
        Assert.Equal("Dense(2 => 3)", new Dense(2, 3, seed: 1).ToString());
    }
}
