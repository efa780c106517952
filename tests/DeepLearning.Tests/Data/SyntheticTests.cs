namespace DeepLearning.Tests.Data;

public class SyntheticTests
{
    public static TheoryData<string> Classification() => ["spirals", "moons", "xor"];

    private static (Tensor X, int[] Labels) Make(string name, ulong seed, float noise = 0.1f) => name switch
    {
        "spirals" => Synthetic.Spirals(50, 3, noise, seed),
        "moons" => Synthetic.Moons(101, noise, seed),
        _ => Synthetic.Xor(200, noise, seed),
    };

    [Theory]
    [MemberData(nameof(Classification))]
    public void ClassificationSets_HaveShapesLabelsAndAreSeeded(string name)
    {
        var (x, labels) = Make(name, 1);
        int n = name switch { "spirals" => 150, "moons" => 101, _ => 200 };
        int classes = name == "spirals" ? 3 : 2;
        Assert.Equal(new Shape(n, 2), x.Shape);
        Assert.Equal(n, labels.Length);
        Assert.Equal(Enumerable.Range(0, classes), labels.Distinct().Order());
        Assert.Equal(x.ToArray(), Make(name, 1).X.ToArray());
        Assert.NotEqual(x.ToArray(), Make(name, 2).X.ToArray());
    }

    [Fact]
    public void Spirals_WithoutNoise_FollowTheFormula()
    {
        var (x, labels) = Synthetic.Spirals(5, 2, 0f, 3);
        var a = x.ToArray();
        for (int j = 0; j < 2; j++)
            for (int i = 0; i < 5; i++)
            {
                int k = j * 5 + i;
                double r = i / 4.0, t = 4 * j + 4 * r;
                Assert.Equal(j, labels[k]);
                Assert.Equal(r * Math.Sin(t), a[2 * k], 5);
                Assert.Equal(r * Math.Cos(t), a[2 * k + 1], 5);
            }
    }

    [Fact]
    public void Moons_WithoutNoise_LieOnTheirHalfCircles()
    {
        var (x, labels) = Synthetic.Moons(20, 0f, 3);
        var a = x.ToArray();
        for (int k = 0; k < 20; k++)
        {
            double px = a[2 * k], py = a[2 * k + 1];
            // Outer moon: unit circle about (0, 0), y ≥ 0; inner: unit circle about (1, 0.5), y ≤ 0.5.
            var (cx, cy) = labels[k] == 0 ? (0.0, 0.0) : (1.0, 0.5);
            Assert.Equal(1.0, Math.Sqrt((px - cx) * (px - cx) + (py - cy) * (py - cy)), 5);
            Assert.True(labels[k] == 0 ? py >= -1e-6 : py <= 0.5 + 1e-6);
        }
        Assert.Equal(10, labels.Count(l => l == 1));
    }

    [Fact]
    public void Xor_LabelIsOneWhenTheSignsDiffer()
    {
        var (x, labels) = Synthetic.Xor(300, 0.1f, 4);
        var a = x.ToArray();
        for (int k = 0; k < 300; k++) Assert.Equal(a[2 * k] * a[2 * k + 1] < 0 ? 1 : 0, labels[k]);
    }

    [Fact]
    public void Linear_IsTheGivenMapPlusNoise()
    {
        var w = Tensor.FromArray(new float[,] { { 1, -2, 0.5f }, { 3, 0, -1 } });
        var b = Tensor.FromArray([0.5f, -1f]);
        var (x, y) = Synthetic.Linear(w, b, 400, 0f, 5);
        Assert.Equal(new Shape(400, 3), x.Shape);
        Assert.Equal(new Shape(400, 2), y.Shape);
        var xa = x.ToArray2D();
        var ya = y.ToArray2D();
        for (int i = 0; i < 400; i++)
        {
            Assert.Equal(xa[i, 0] - 2 * xa[i, 1] + 0.5 * xa[i, 2] + 0.5, ya[i, 0], 4);
            Assert.Equal(3 * xa[i, 0] - xa[i, 2] - 1, ya[i, 1], 4);
        }
        // With noise σ the residuals have standard deviation about σ.
        var (x2, y2) = Synthetic.Linear(w, b, 4000, 0.3f, 5);
        var residual = (y2 - Tensor.MatMul(x2, w, transposeB: true) - b).ToArray();
        double std = Math.Sqrt(residual.Select(r => (double)r * r).Average());
        Assert.InRange(std, 0.28, 0.32);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => Synthetic.Spirals(10, 0, 0.1f, 1));
        Assert.Throws<ArgumentException>(() => Synthetic.Moons(-1, 0.1f, 1));
        Assert.Throws<ArgumentException>(() => Synthetic.Xor(10, -0.1f, 1));
        Assert.Throws<ArgumentException>(() => Synthetic.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(3), 10, 0f, 1));
    }
}
