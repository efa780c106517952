namespace DeepLearning.Tests.Tensors;

/// <summary>Creation: constants, arrays of rank 1–4, spans, and seeded random tensors.</summary>
public class CreationTests
{
    [Fact]
    public void Constants()
    {
        Assert.Equal([0f, 0, 0, 0, 0, 0], Tensor.Zeros(2, 3).ToArray());
        Assert.Equal(new Shape(2, 3), Tensor.Ones(2, 3).Shape);
        Assert.All(Tensor.Ones(2, 3).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Tensor.Full(new Shape(4), 2.5f).ToArray(), v => Assert.Equal(2.5f, v));
        var s = Tensor.Scalar(7);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Length);
        Assert.Equal(7f, s.Item());
        Assert.Empty(Tensor.Zeros(0, 3).ToArray());
    }

    [Fact]
    public void From_arrays_of_rank_1_to_4_keep_row_major_order()
    {
        Assert.Equal([1f, 2, 3], Tensor.FromArray([1f, 2, 3]).ToArray());
        var t2 = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(new Shape(2, 3), t2.Shape);
        Assert.Equal(6f, t2[1, 2]);
        Assert.Equal(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }, t2.ToArray2D());
        var a3 = new float[2, 3, 4];
        var a4 = new float[2, 1, 3, 2];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) a3[i, j, k] = 100 * i + 10 * j + k;
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 2; k++) a4[i, 0, j, k] = 100 * i + 10 * j + k;
        var t3 = Tensor.FromArray(a3);
        var t4 = Tensor.FromArray(a4);
        Assert.Equal(new Shape(2, 3, 4), t3.Shape);
        Assert.Equal(123f, t3[1, 2, 3]);
        Assert.Equal(21f, t3.ToArray()[2 * 4 + 1]);
        Assert.Equal(new Shape(2, 1, 3, 2), t4.Shape);
        Assert.Equal(111f, t4[1, 0, 1, 1]);
        Assert.Equal(111f, t4.ToArray()[6 + 2 + 1]);
    }

    [Fact]
    public void From_span_checks_length()
    {
        var t = Tensor.FromSpan([1f, 2, 3, 4], new Shape(2, 2));
        Assert.Equal(4f, t[1, 1]);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.FromSpan([1f, 2, 3], new Shape(2, 2)));
        Assert.StartsWith("FromSpan: 3 values cannot fill shape [2,2] (4 elements)", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Func<ulong, Tensor>> RandomCreators => new()
    {
        { "Rand", seed => Tensor.Rand(new Shape(3, 50), seed) },
        { "RandN", seed => Tensor.RandN(new Shape(3, 50), seed) },
        { "Uniform", seed => Tensor.Uniform(new Shape(150), -2, 5, seed) },
        { "Normal", seed => Tensor.Normal(new Shape(150), 3, 0.5f, seed) },
    };

    [Theory]
    [MemberData(nameof(RandomCreators))]
    public void Random_tensors_are_reproducible_per_seed(string name, Func<ulong, Tensor> create)
    {
        var a = create(42).ToArray();
        Assert.Equal(a, create(42).ToArray());
        Assert.NotEqual(a, create(43).ToArray());
        Assert.True(a.Distinct().Count() > 140, $"{name}: values repeat");
    }

    [Fact]
    public void Uniform_stays_in_its_interval()
    {
        Assert.All(Tensor.Uniform(new Shape(1000), -2, 5, 1).ToArray(), v => Assert.InRange(v, -2f, 5f));
        Assert.All(Tensor.Rand(new Shape(1000), 1).ToArray(), v => Assert.InRange(v, 0f, 0.99999994f));
        Assert.Throws<ArgumentException>(() => Tensor.Uniform(new Shape(2), 1, 0, 1));
        Assert.Throws<ArgumentException>(() => Tensor.Normal(new Shape(2), 0, -1, 1));
    }
}
