namespace DeepLearning.Tests.Data;

public class OneHotTests
{
    [Fact]
    public void OneHot_SetsExactlyTheLabelColumnOfEachRow()
    {
        int[] labels = [2, 0, 3, 3, 1];
        var y = Tensor.OneHot(labels, 4);
        Assert.Equal(new Shape(5, 4), y.Shape);
        var a = y.ToArray2D();
        for (int i = 0; i < labels.Length; i++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(c == labels[i] ? 1f : 0f, a[i, c]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 10)]
    [InlineData(200, 7)]
    public void OneColdOfOneHot_IsTheIdentity(int n, int classes)
    {
        var labels = new int[n];
        var rng = new Random(n * 31 + classes);
        for (int i = 0; i < n; i++) labels[i] = rng.Next(classes);
        Assert.Equal(labels, Tensor.OneHot(labels, classes).OneCold());
    }

    [Fact]
    public void OneCold_PicksTheLargestScoreAndTheFirstOnTies()
    {
        var scores = Tensor.FromArray(new float[,] { { 0.1f, 2f, -1f }, { 5f, 5f, 1f }, { -3f, -2f, -1f } });
        Assert.Equal(new[] { 1, 0, 2 }, scores.OneCold());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void OneHot_LabelOutOfRange_NamesLabelIndexAndClassCount(int bad)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.OneHot([0, 1, bad, 2], 3));
        Assert.Contains($"label {bad}", e.Message);
        Assert.Contains("index 2", e.Message);
        Assert.Contains("3 classes", e.Message);
    }

    [Fact]
    public void OneHot_NonPositiveClassCount_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.OneHot([0], 0));
}
