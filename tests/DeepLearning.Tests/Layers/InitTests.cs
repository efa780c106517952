namespace DeepLearning.Tests.Layers;

public class InitTests
{
    // Shape [out 300, in 200]: fan_in = 200, fan_out = 300. Expected mean and standard deviation of each initialiser,
    // and the half-width of the support for the uniform ones (0 for unbounded).
    private static readonly (string Name, Initializer Init, double Mean, double Std, double Bound)[] Rows =
    [
        ("GlorotUniform", Init.GlorotUniform, 0, Math.Sqrt(6.0 / 500) / Math.Sqrt(3), Math.Sqrt(6.0 / 500)),
        ("GlorotNormal", Init.GlorotNormal, 0, Math.Sqrt(2.0 / 500), 0),
        ("HeUniform", Init.HeUniform, 0, Math.Sqrt(6.0 / 200) / Math.Sqrt(3), Math.Sqrt(6.0 / 200)),
        ("HeNormal", Init.HeNormal, 0, Math.Sqrt(2.0 / 200), 0),
        ("LeCunNormal", Init.LeCunNormal, 0, Math.Sqrt(1.0 / 200), 0),
        ("Zeros", Init.Zeros, 0, 0, 0),
        ("Ones", Init.Ones, 1, 0, 0),
        ("Normal(0.3)", Init.Normal(0.3f), 0, 0.3, 0),
        ("Uniform(1, 3)", Init.Uniform(1f, 3f), 2, 2 / Math.Sqrt(12), 0),
    ];

    public static TheoryData<string> Names() => [.. Rows.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Statistics_follow_the_fan_conventions_and_seeds_repeat(string name)
    {
        var row = Rows.Single(r => r.Name == name);
        var shape = new Shape(300, 200);
        var v = row.Init(shape, 5).ToArray();
        Assert.Equal(shape.Length, v.Length);
        double mean = v.Average(f => (double)f), std = Math.Sqrt(v.Average(f => (f - mean) * (f - mean)));
        Assert.True(Math.Abs(mean - row.Mean) < 0.01 + 0.02 * row.Std, $"{name}: mean {mean}");
        Assert.True(Math.Abs(std - row.Std) <= 0.02 * row.Std + 1e-7, $"{name}: std {std}, expected {row.Std}");
        if (row.Bound > 0) Assert.All(v, f => Assert.True(Math.Abs(f) <= row.Bound, $"{name}: {f} beyond ±{row.Bound}"));
        Assert.Equal(v, row.Init(shape, 5).ToArray());
    }

    [Fact]
    public void Fans_follow_pytorch()
    {
        Assert.Equal((200, 300), Init.Fans(new Shape(300, 200)));
        Assert.Equal((3 * 5 * 5, 16 * 5 * 5), Init.Fans(new Shape(16, 3, 5, 5)));
        Assert.Equal((7, 7), Init.Fans(new Shape(7)));
    }

    [Fact]
    public void Bad_hyper_parameters_are_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.Normal(-1f));
        Assert.Throws<ArgumentException>(() => Init.Uniform(2f, 1f));
    }
}
