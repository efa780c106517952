namespace DeepLearning.Tests.Ops;

public class GatherTests
{
    [Theory]
    [InlineData(new int[] { 2, 0, 1 })]
    [InlineData(new int[] { 0, 1, 2, 3 })]
    [InlineData(new int[] { 3, 3, 1, 2, 0 })]
    [InlineData(new int[] { })]
    public void GatherRows_CopiesTheChosenRows(int[] rows)
    {
        var x = Tensor.FromArray(new float[,,] { { { 0, 1 } }, { { 10, 11 } }, { { 20, 21 } }, { { 30, 31 } } });
        var y = x.GatherRows(rows);
        Assert.Equal(new Shape(rows.Length, 1, 2), y.Shape);
        Assert.Equal(rows.SelectMany(r => new float[] { 10 * r, 10 * r + 1 }), y.ToArray());
    }

    [Fact]
    public void GatherRows_FromAView_ReadsAtTheViewsOffset()
    {
        var x = Tensor.FromArray(new float[,] { { 0, 1 }, { 2, 3 }, { 4, 5 } }).Slice(1, 2);
        Assert.Equal(new[] { 4f, 5f, 2f, 3f }, x.GatherRows([1, 0]).ToArray());
    }

    [Fact]
    public void GatherRows_IndexOutOfRange_NamesIndexAndPosition()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 2).GatherRows([0, 3]));
        Assert.Contains("index 3 at position 1", e.Message);
    }
}
