namespace DeepLearning.Tests.Ops;

/// <summary>Reshape, transpose, permute, slice and concat against hand-built results, and their errors.</summary>
public class ShapeOpsTests
{
    // [[0,1,2,3],[4,5,6,7],[8,9,10,11]]
    private static Tensor Iota(params int[] shape)
    {
        var s = new Shape(shape);
        return Tensor.FromSpan(Enumerable.Range(0, s.Length).Select(i => (float)i).ToArray(), s);
    }

    [Fact]
    public void Reshape_views_the_same_elements_and_infers_minus_one()
    {
        var x = Iota(3, 4);
        var y = x.Reshape(2, -1);
        Assert.Equal(new Shape(2, 6), y.Shape);
        Assert.Equal(x.ToArray(), y.ToArray());
        Assert.Equal(new Shape(12), x.Reshape(-1).Shape);
        Assert.Equal(new Shape(3, 2, 2), x.Reshape(-1, 2, 2).Shape);
    }

    [Theory]
    [InlineData(new[] { 5, 3 }, "Reshape: cannot view 12 elements as [5,3]")]
    [InlineData(new[] { 5, -1 }, "Reshape: cannot view 12 elements as [5,-1]")]
    [InlineData(new[] { -1, -1 }, "Reshape: only one dimension may be -1 in [-1,-1]")]
    public void Reshape_errors_name_counts_and_shapes(int[] shape, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => Iota(3, 4).Reshape(shape));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transpose_and_permute_move_elements()
    {
        Assert.Equal([0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], Iota(3, 4).Transpose().ToArray());
        // [2,3,2] with x[i,j,k] = 6i + 2j + k; Permute(2,0,1): y[k,i,j] = x[i,j,k].
        var y = Iota(2, 3, 2).Permute(2, 0, 1);
        Assert.Equal(new Shape(2, 2, 3), y.Shape);
        Assert.Equal([0f, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11], y.ToArray());
        Assert.Contains("Permute: [0,0]", Assert.Throws<ArgumentException>(() => Iota(2, 2).Permute(0, 0)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => Iota(3).Transpose());
    }

    [Fact]
    public void Slice_along_first_and_other_axes()
    {
        var x = Iota(3, 4);
        Assert.Equal([4f, 5, 6, 7, 8, 9, 10, 11], x.Slice(1, 2).ToArray());
        var c = x.Slice(1, 1, 2);
        Assert.Equal(new Shape(3, 2), c.Shape);
        Assert.Equal([1f, 2, 5, 6, 9, 10], c.ToArray());
        Assert.Equal([3f, 7, 11], x.Slice(-1, 3, 1).ToArray());
        // A slice of a view reads at the right offset.
        Assert.Equal([6f, 7, 10, 11], x.Slice(1, 2).Slice(1, 2, 2).ToArray());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(1, 3, 2));
        Assert.Contains("Slice: range [3, 5) is outside axis 1 of Tensor [3,4]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(2, 0, 1));
    }

    [Fact]
    public void Concat_along_first_and_other_axes()
    {
        var a = Iota(2, 2);            // [[0,1],[2,3]]
        var b = Iota(2, 1) + 10f;      // [[10],[11]]
        var y = Tensor.Concat(1, a, b, a);
        Assert.Equal(new Shape(2, 5), y.Shape);
        Assert.Equal([0f, 1, 10, 0, 1, 2, 3, 11, 2, 3], y.ToArray());
        var z = Tensor.Concat(0, a, Iota(1, 2));
        Assert.Equal([0f, 1, 2, 3, 0, 1], z.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Concat(0, a, b));
        Assert.StartsWith("Concat: shapes [2,2] and [2,1] differ outside axis 0", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Tensor.Concat(0));
    }

    [Fact]
    public void NaN_passes_through_moves()
    {
        var x = Tensor.FromArray(new float[,] { { float.NaN, 1 }, { 2, 3 } });
        Assert.True(float.IsNaN(x.Transpose()[0, 0]));
        Assert.True(float.IsNaN(x.Reshape(4)[0]));
        Assert.True(float.IsNaN(Tensor.Concat(1, x, x)[0, 2]));
        Assert.True(float.IsNaN(x.Slice(1, 0, 1)[0, 0]));
    }

    [Theory]
    [InlineData(0, int.MaxValue, 1)]
    [InlineData(0, 1, int.MaxValue)]
    [InlineData(1, int.MaxValue, 1)]
    [InlineData(1, 1, int.MaxValue)]
    public void Slice_ranges_that_overflow_are_named(int axis, int start, int length)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(4, 3).Slice(axis, start, length));
        Assert.Contains($"is outside axis {axis}", e.Message, StringComparison.Ordinal);
    }
}
