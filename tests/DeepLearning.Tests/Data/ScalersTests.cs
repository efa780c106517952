namespace DeepLearning.Tests.Data;

public class ScalersTests
{
    private static readonly float[,] Train = { { 1, 10, 5 }, { 3, 20, 5 }, { 5, 60, 5 }, { 7, 30, 5 } };

    // Independent reference: per-column statistics in double.
    private static (double[] Mean, double[] Std, double[] Min, double[] Max) Reference(float[,] a)
    {
        int n = a.GetLength(0), f = a.GetLength(1);
        var mean = new double[f];
        var std = new double[f];
        var min = new double[f];
        var max = new double[f];
        for (int j = 0; j < f; j++)
        {
            var col = Enumerable.Range(0, n).Select(i => (double)a[i, j]).ToArray();
            mean[j] = col.Average();
            std[j] = Math.Sqrt(col.Select(v => (v - mean[j]) * (v - mean[j])).Average());
            min[j] = col.Min();
            max[j] = col.Max();
        }
        return (mean, std, min, max);
    }

    [Fact]
    public void Standardize_CentresAndScalesEachFeature_ConstantFeatureOnlyCentred()
    {
        var (mean, std, _, _) = Reference(Train);
        var s = new Standardize();
        s.Fit(Tensor.FromArray(Train));
        var other = new float[,] { { 0, 0, 0 }, { 4, 25, 6 } };
        var y = s.Transform(Tensor.FromArray(other)).ToArray2D();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
            {
                double expected = std[j] > 0 ? (other[i, j] - mean[j]) / std[j] : other[i, j] - mean[j];
                Assert.Equal(expected, y[i, j], 4);
            }
        Assert.Equal(mean.Select(v => (float)v), s.Mean!);
    }

    [Fact]
    public void MinMax_MapsTheTrainingRangeOntoTheTarget()
    {
        var (_, _, min, max) = Reference(Train);
        var m = new MinMax(-1, 1);
        var y = m.FitTransform(Tensor.FromArray(Train)).ToArray2D();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
            {
                double range = max[j] - min[j];
                double expected = -1 + (Train[i, j] - min[j]) * 2 / (range > 0 ? range : 1);
                Assert.Equal(expected, y[i, j], 5);
            }
    }

    public static TheoryData<string> Scalers() => ["standardize", "minmax"];

    private static FeatureScaler Create(string name) => name == "standardize" ? new Standardize() : new MinMax();

    [Theory]
    [MemberData(nameof(Scalers))]
    public void InverseTransform_UndoesTransform_OnHigherRankData(string name)
    {
        var x = Tensor.RandN(new Shape(5, 4, 3), 11) * 3f + 2f;
        var s = Create(name).Fit(x);
        Assert.Equal(3, s.Features);
        var back = s.InverseTransform(s.Transform(x)).ToArray();
        var orig = x.ToArray();
        for (int i = 0; i < orig.Length; i++) Assert.Equal(orig[i], back[i], 3);
    }

    [Theory]
    [MemberData(nameof(Scalers))]
    public void Errors_NotFitted_AndWrongFeatureCount(string name)
    {
        var s = Create(name);
        Assert.Throws<InvalidOperationException>(() => s.Transform(Tensor.Zeros(2, 3)));
        s.Fit(Tensor.FromArray(Train));
        var e = Assert.Throws<ArgumentException>(() => s.Transform(Tensor.Zeros(2, 4)));
        Assert.Contains("4 features", e.Message);
        Assert.Contains("fitted on 3", e.Message);
    }
}
