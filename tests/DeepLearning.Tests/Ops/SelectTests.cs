namespace DeepLearning.Tests.Ops;

/// <summary>Clamp and Where against plain references, their gradients at the points the gradient check avoids, and errors.</summary>
public class SelectTests
{
    [Fact]
    public void Clamp_matches_reference_and_keeps_NaN()
    {
        var x = TestData.Uniform(300, 3, -3, 3);
        x[7] = float.NaN;
        x[8] = float.PositiveInfinity;
        x[9] = float.NegativeInfinity;
        using var scope = TensorScope.Begin();
        var y = Tensor.FromArray(x).Clamp(-0.5f, 1.25f).ToArray();
        TestData.AssertClose(x.Select(v => float.IsNaN(v) ? v : Math.Clamp(v, -0.5f, 1.25f)).ToArray(), y, 0, "Clamp");
    }

    [Fact]
    public void Clamp_gradient_is_one_inside_and_on_the_bounds_zero_outside()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray([-2f, -1f, 0f, 1f, 2f]);
        var g = Autodiff.Gradient(() => x.Clamp(-1f, 1f).Sum(), [x])[x].ToArray();
        Assert.Equal([0f, 1f, 1f, 1f, 0f], g);
    }

    [Theory]
    [InlineData(1f, -1f)]
    [InlineData(float.NaN, 1f)]
    [InlineData(0f, float.NaN)]
    public void Clamp_rejects_bounds_that_are_not_an_interval(float min, float max)
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2).Clamp(min, max));
        Assert.StartsWith("Clamp: bounds [", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Where_matches_reference_with_broadcasting()
    {
        using var scope = TensorScope.Begin();
        var c = new float[] { 0f, 1f, -2f, 0f };
        var a = TestData.Uniform(12, 5, -3, 3);
        var b = TestData.Uniform(3, 6, -3, 3);
        // condition [4] selects a [3,4] row by row, else b [3,1] along columns.
        var y = Tensor.Where(Tensor.FromArray(c), Tensor.FromSpan(a, new Shape(3, 4)), Tensor.FromSpan(b, new Shape(3, 1)));
        Assert.Equal(new Shape(3, 4), y.Shape);
        var expected = new float[12];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) expected[i * 4 + j] = c[j] != 0 ? a[i * 4 + j] : b[i];
        Assert.Equal(expected, y.ToArray());
    }

    [Fact]
    public void Where_is_exact_for_values_it_does_not_select()
    {
        using var scope = TensorScope.Begin();
        var scores = Tensor.FromArray([1.5f, float.PositiveInfinity, -2f, float.NaN]);
        var keep = Tensor.FromArray([1f, 0f, 1f, 0f]);
        var masked = Tensor.Where(keep, scores, float.NegativeInfinity);
        Assert.Equal([1.5f, float.NegativeInfinity, -2f, float.NegativeInfinity], masked.ToArray());
        // NaN is nonzero: it selects a, as any nonzero condition does.
        Assert.Equal([7f], Tensor.Where(Tensor.FromArray([float.NaN]), 7f, Tensor.FromArray([3f])).ToArray());
    }

    [Fact]
    public void Where_gradient_goes_to_the_selected_side_only_and_never_to_the_condition()
    {
        using var scope = TensorScope.Begin();
        var condition = Tensor.FromArray([1f, 0f, 2f]);
        var a = Tensor.FromArray([1f, 2f, 3f]);
        var b = Tensor.FromArray([10f]);
        var w = Tensor.FromArray([1f, 3f, 1f]);
        var grads = Autodiff.Gradient(() => (Tensor.Where(condition, a, b) * w).Sum() + Tensor.Where(condition, a, 5f).Sum(), [a, b, condition]);
        Assert.Equal([2f, 0f, 2f], grads[a].ToArray());
        Assert.Equal([3f], grads[b].ToArray());
        Assert.Equal([0f, 0f, 0f], grads[condition].ToArray());
    }

    [Fact]
    public void Where_shape_error_names_all_three_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros(2, 3), Tensor.Zeros(3), Tensor.Zeros(4)));
        Assert.Equal("Where: condition [2,3], a [3] and b [4] cannot broadcast", e.Message);
    }
}
