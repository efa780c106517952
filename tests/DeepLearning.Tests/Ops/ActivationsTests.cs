namespace DeepLearning.Tests.Ops;

/// <summary>Activation values worked out by hand, and NaN propagation.</summary>
public class ActivationsTests
{
    private static readonly float[] X = [-2, -0.5f, 0, 0.5f, 2];

    public static TheoryData<string, Func<Tensor, Tensor>, float[]> HandValues => new()
    {
        // σ(x) = 1/(1+e⁻ˣ): σ(0) = 0.5, σ(2) = 1/(1+0.1353353) = 0.8807971, σ(0.5) = 1/(1+0.6065307) = 0.6224593.
        { "sigmoid", x => x.Sigmoid(), [0.11920292f, 0.37754067f, 0.5f, 0.62245933f, 0.88079708f] },
        // tanh 2 = (e⁴−1)/(e⁴+1) = 53.59815/55.59815 = 0.9640276; tanh 0.5 = 0.4621172.
        { "tanh", x => x.Tanh(), [-0.96402758f, -0.46211716f, 0, 0.46211716f, 0.96402758f] },
        { "relu", x => x.Relu(), [0, 0, 0, 0.5f, 2] },
        { "leaky relu 0.1", x => x.LeakyRelu(0.1f), [-0.2f, -0.05f, 0, 0.5f, 2] },
        { "leaky relu default 0.01", x => x.LeakyRelu(), [-0.02f, -0.005f, 0, 0.5f, 2] },
    };

    [Theory]
    [MemberData(nameof(HandValues))]
    public void Values_match_hand_computation(string name, Func<Tensor, Tensor> f, float[] expected) =>
        TestData.AssertClose(expected, f(Tensor.FromArray(X)).ToArray(), 1e-6, name);

    public static TheoryData<string, Func<Tensor, Tensor>, float[]> HandDerivatives => new()
    {
        // σ′ = σ(1−σ): at 0: 0.25; at 2: 0.8807971·0.1192029 = 0.1049936.
        { "sigmoid", x => x.Sigmoid(), [0.10499359f, 0.23500371f, 0.25f, 0.23500371f, 0.10499359f] },
        // tanh′ = 1 − tanh²: at 2: 1 − 0.9293491 = 0.0706508; at 0.5: 1 − 0.2135524 = 0.7864477.
        { "tanh", x => x.Tanh(), [0.07065082f, 0.78644773f, 1, 0.78644773f, 0.07065082f] },
        { "relu", x => x.Relu(), [0, 0, 0, 1, 1] },
        { "leaky relu 0.1", x => x.LeakyRelu(0.1f), [0.1f, 0.1f, 0.1f, 1, 1] },
    };

    [Theory]
    [MemberData(nameof(HandDerivatives))]
    public void Derivatives_match_hand_computation(string name, Func<Tensor, Tensor> f, float[] expected)
    {
        var x = Tensor.FromArray(X);
        var g = Autodiff.Gradient(() => f(x).Sum(), [x])[x];
        TestData.AssertClose(expected, g.ToArray(), 1e-6, name);
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("relu")]
    [InlineData("leaky relu")]
    public void NaN_in_gives_NaN_out(string name)
    {
        var x = Tensor.FromArray([1f, float.NaN, -1f]);
        var y = (name switch
        {
            "sigmoid" => x.Sigmoid(),
            "tanh" => x.Tanh(),
            "relu" => x.Relu(),
            _ => x.LeakyRelu(),
        }).ToArray();
        Assert.True(float.IsNaN(y[1]), $"{name}({float.NaN}) = {y[1]}");
        Assert.False(float.IsNaN(y[0]) || float.IsNaN(y[2]));
    }
}
