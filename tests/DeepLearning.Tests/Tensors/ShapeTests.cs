namespace DeepLearning.Tests.Tensors;

/// <summary>Shape: broadcasting rules, axes, equality, errors.</summary>
public class ShapeTests
{
    public static TheoryData<int[], int[], int[]> Broadcasts => new()
    {
        { [3, 4], [3, 4], [3, 4] },
        { [3, 4], [4], [3, 4] },
        { [4], [3, 4], [3, 4] },
        { [3, 4], [3, 1], [3, 4] },
        { [3, 1], [1, 4], [3, 4] },
        { [], [3, 4], [3, 4] },
        { [2, 3, 4], [3, 1], [2, 3, 4] },
        { [1, 3, 1], [2, 1, 4], [2, 3, 4] },
        { [5, 1, 1, 2], [3, 1], [5, 1, 3, 2] },
        { [0, 3], [3], [0, 3] },
        { [1], [0], [0] },
    };

    [Theory]
    [MemberData(nameof(Broadcasts))]
    public void Broadcast_follows_numpy(int[] a, int[] b, int[] expected)
    {
        Assert.Equal(new Shape(expected), Shape.Broadcast(new Shape(a), new Shape(b), "Op"));
        Assert.Equal(new Shape(expected), Shape.Broadcast(new Shape(b), new Shape(a), "Op"));
    }

    [Theory]
    [InlineData(new[] { 32, 10 }, new[] { 3 }, "Add: shapes [32,10] and [3] cannot broadcast")]
    [InlineData(new[] { 2, 4 }, new[] { 3, 2, 3 }, "Add: shapes [2,4] and [3,2,3] cannot broadcast")]
    public void Broadcast_error_names_op_and_both_shapes(int[] a, int[] b, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => Shape.Broadcast(new Shape(a), new Shape(b), "Add")).Message);

    [Fact]
    public void Axes_lengths_and_equality()
    {
        var s = new Shape(2, 3, 4);
        Assert.Equal(24, s.Length);
        Assert.Equal(3, s.Rank);
        Assert.Equal(4, s[-1]);
        Assert.Equal(2, s.NormalizeAxis(-1, "Op"));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => s.NormalizeAxis(3, "Sum"));
        Assert.Contains("Sum: axis 3 is out of range for shape [2,3,4]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.NormalizeAxis(-4, "Sum"));
        Assert.Equal(1, Shape.Scalar.Length);
        Assert.Equal(0, Shape.Scalar.Rank);
        Assert.Equal(1, default(Shape).Length);
        Assert.Equal("[]", Shape.Scalar.ToString());
        Assert.True(new Shape(2, 3) == new int[] { 2, 3 });
        Assert.True(new Shape(2, 3) != new Shape(3, 2));
        Assert.Equal(new Shape(2, 3).GetHashCode(), new Shape(2, 3).GetHashCode());
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => new Shape(2, -1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Shape(int.MaxValue, 4));
    }
}
