namespace DeepLearning.Tests.Ops;

/// <summary>Reductions against values worked out by hand, shapes with keepDims, errors and NaN.</summary>
public class ReduceTests
{
    // [[1, 2, 3],
    //  [4, 5, 6]]
    private static Tensor M() => Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });

    public static TheoryData<string, Func<Tensor, Tensor>, int[], float[]> HandValues => new()
    {
        { "Sum()", x => x.Sum(), [], [21] },
        { "Sum(0)", x => x.Sum(0), [3], [5, 7, 9] },
        { "Sum(1)", x => x.Sum(1), [2], [6, 15] },
        { "Sum(-1,keep)", x => x.Sum(-1, keepDims: true), [2, 1], [6, 15] },
        { "Sum(0,keep)", x => x.Sum(0, keepDims: true), [1, 3], [5, 7, 9] },
        { "Sum([0,1])", x => x.Sum([0, 1]), [], [21] },
        { "Sum([1,0],keep)", x => x.Sum([1, 0], keepDims: true), [1, 1], [21] },
        { "Mean()", x => x.Mean(), [], [3.5f] },
        { "Mean(0)", x => x.Mean(0), [3], [2.5f, 3.5f, 4.5f] },
        { "Mean(1)", x => x.Mean(1), [2], [2, 5] },
        { "Max()", x => x.Max(), [], [6] },
        { "Max(1)", x => x.Max(1), [2], [3, 6] },
        { "Max(0,keep)", x => x.Max(0, keepDims: true), [1, 3], [4, 5, 6] },
        { "Min()", x => x.Min(), [], [1] },
        { "Min(0)", x => x.Min(0), [3], [1, 2, 3] },
        { "Min(-1)", x => x.Min(-1), [2], [1, 4] },
    };

    [Theory]
    [MemberData(nameof(HandValues))]
    public void Values_match_hand_computation(string name, Func<Tensor, Tensor> f, int[] shape, float[] expected)
    {
        var y = f(M());
        Assert.Equal(new Shape(shape), y.Shape);
        TestData.AssertClose(expected, y.ToArray(), 1e-6, name);
    }

    [Fact]
    public void Multiple_axes_of_rank_3()
    {
        // x[i,j,k] = 100i + 10j + k over [2,3,4]; summing i and k leaves, for each j, Σ_i Σ_k = 4·(0+100) + 2·(4·10j) + 2·(0+1+2+3).
        var v = new float[24];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) v[i * 12 + j * 4 + k] = 100 * i + 10 * j + k;
        var x = Tensor.FromSpan(v, new Shape(2, 3, 4));
        var y = x.Sum([0, 2]);
        Assert.Equal(new Shape(3), y.Shape);
        Assert.Equal([412f, 492, 572], y.ToArray());
        Assert.Equal(new Shape(1, 3, 1), x.Mean([2, 0], keepDims: true).Shape);
        Assert.Equal([51.5f, 61.5f, 71.5f], x.Mean([0, 2]).ToArray());
    }

    [Fact]
    public void Max_gradient_splits_ties()
    {
        var x = Tensor.FromArray([1f, 3, 3, 2]);
        var g = Autodiff.Gradient(() => x.Max(), [x])[x];
        Assert.Equal([0f, 0.5f, 0.5f, 0], g.ToArray());
    }

    [Fact]
    public void ArgMax_returns_first_maximum_per_row()
    {
        var x = Tensor.FromArray(new float[,] { { 1, 5, 5 }, { 7, 2, 3 } });
        Assert.Equal([1, 0], x.ArgMax());
        Assert.Equal([1, 0, 0], x.ArgMax(0));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-3)]
    public void Axis_out_of_range_names_op_axis_and_shape(int axis)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => M().Sum(axis));
        Assert.Contains($"Sum: axis {axis} is out of range for shape [2,3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Max: axis", Assert.Throws<ArgumentOutOfRangeException>(() => M().Max(axis)).Message, StringComparison.Ordinal);
        Assert.Contains("Mean: axis", Assert.Throws<ArgumentOutOfRangeException>(() => M().Mean([0, axis])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_axis_and_empty_max_throw()
    {
        Assert.Contains("repeated", Assert.Throws<ArgumentException>(() => M().Sum([1, -1])).Message, StringComparison.Ordinal);
        Assert.Contains("Max:", Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(0).Max()).Message, StringComparison.Ordinal);
        Assert.Equal(0f, Tensor.Zeros(0).Sum().Item());
        Assert.True(float.IsNaN(Tensor.Zeros(0).Mean().Item()));
    }

    [Theory]
    [InlineData("Sum")]
    [InlineData("Mean")]
    [InlineData("Max")]
    [InlineData("Min")]
    public void NaN_in_gives_NaN_out(string op)
    {
        var x = Tensor.FromArray(new float[,] { { 1, float.NaN, 3 }, { 4, 5, 6 } });
        Func<Tensor, Tensor> f = op switch
        {
            "Sum" => t => t.Sum(1),
            "Mean" => t => t.Mean(1),
            "Max" => t => t.Max(1),
            _ => t => t.Min(1),
        };
        var rows = f(x).ToArray();
        Assert.True(float.IsNaN(rows[0]), $"{op} of a row holding NaN is {rows[0]}");
        Assert.False(float.IsNaN(rows[1]));
        var cols = (op switch { "Sum" => x.Sum(0), "Mean" => x.Mean(0), "Max" => x.Max(0), _ => x.Min(0) }).ToArray();
        Assert.True(float.IsNaN(cols[1]), $"{op} of a column holding NaN is {cols[1]}");
        Assert.True(float.IsNaN(f(x.Reshape(1, 6)).Item()));
    }
}
