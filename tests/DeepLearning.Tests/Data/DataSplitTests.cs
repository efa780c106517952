namespace DeepLearning.Tests.Data;

public class DataSplitTests
{
    // Row i of X is (i, i + 0.5); label / target i is i, so every part shows which samples it holds and their pairing.
    private static (Tensor X, int[] Labels, Tensor Y) Data(int n)
    {
        var x = new float[2 * n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = i;
            x[2 * i + 1] = i + 0.5f;
        }
        var labels = Enumerable.Range(0, n).ToArray();
        return (Tensor.FromSpan(x, new Shape(n, 2)), labels, Tensor.FromArray(labels.Select(i => (float)i).ToArray()));
    }

    private static int[] Ids(Tensor x, int[] labels)
    {
        var a = x.ToArray();
        var ids = new int[x.Shape[0]];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = (int)a[2 * i];
            Assert.Equal(ids[i] + 0.5f, a[2 * i + 1]);
            Assert.Equal(ids[i], labels[i]);
        }
        return ids;
    }

    [Theory]
    [InlineData(100, 0.1f, 0.2f, 70, 10, 20)]
    [InlineData(10, 0.25f, 0.25f, 4, 3, 3)]
    [InlineData(7, 0f, 0f, 7, 0, 0)]
    [InlineData(7, 0f, 1f, 0, 0, 7)]
    [InlineData(0, 0.5f, 0.5f, 0, 0, 0)]
    public void TrainValidationTest_SizesFollowFractions_PartsAreDisjointAndCoverAll(int n, float val, float test, int eTrain, int eVal, int eTest)
    {
        var (x, labels, _) = Data(n);
        var (train, validation, testPart) = DataSplit.TrainValidationTest(x, labels, val, test, seed: 5);
        var a = Ids(train.X, train.Labels);
        var b = Ids(validation.X, validation.Labels);
        var c = Ids(testPart.X, testPart.Labels);
        Assert.Equal((eTrain, eVal, eTest), (a.Length, b.Length, c.Length));
        Assert.Equal(Enumerable.Range(0, n), a.Concat(b).Concat(c).Order());
    }

    [Fact]
    public void TensorTargets_StayPairedWithTheirInputs_AndTheSplitIsSeeded()
    {
        var (x, _, y) = Data(40);
        var (train, test) = DataSplit.TrainTest(x, y, 0.25f, seed: 9);
        Assert.Equal(30, train.X.Shape[0]);
        Assert.Equal(10, test.Y.Shape[0]);
        var xs = test.X.ToArray();
        var ys = test.Y.ToArray();
        for (int i = 0; i < 10; i++) Assert.Equal(xs[2 * i], ys[i]);
        var (_, again) = DataSplit.TrainTest(x, y, 0.25f, seed: 9);
        Assert.Equal(ys, again.Y.ToArray());
        var (_, other) = DataSplit.TrainTest(x, y, 0.25f, seed: 10);
        Assert.NotEqual(ys, other.Y.ToArray());
        // Shuffled, not a prefix cut.
        Assert.NotEqual(Enumerable.Range(30, 10).Select(i => (float)i), ys.Order());
    }

    [Theory]
    [InlineData(-0.1f, 0.2f)]
    [InlineData(0.6f, 0.5f)]
    [InlineData(float.NaN, 0f)]
    public void BadFractions_Throw(float val, float test)
    {
        var (x, labels, _) = Data(10);
        var e = Assert.Throws<ArgumentException>(() => DataSplit.TrainValidationTest(x, labels, val, test, 1));
        Assert.Contains("fraction", e.Message);
    }

    [Fact]
    public void MismatchedLengths_NameBoth()
    {
        var (x, _, _) = Data(10);
        var e = Assert.Throws<ArgumentException>(() => DataSplit.TrainTest(x, new int[9], 0.5f, 1));
        Assert.Contains("10", e.Message);
        Assert.Contains("9", e.Message);
    }
}
