namespace DeepLearning.Tests.Ops;

/// <summary>Element-wise arithmetic against values worked out by hand, broadcasting, errors and NaN.</summary>
public class ElementwiseTests
{
    private static Tensor M23() => Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });

    public static TheoryData<string, Func<Tensor>, float[,]> HandValues => new()
    {
        // [[1,2,3],[4,5,6]] + [10,20,30]: the row vector is added to every row.
        { "row vector", () => M23() + Tensor.FromArray([10f, 20, 30]), new float[,] { { 11, 22, 33 }, { 14, 25, 36 } } },
        // + [[100],[200]]: the column vector is added to every column.
        { "column vector", () => M23() + Tensor.FromArray(new float[,] { { 100 }, { 200 } }), new float[,] { { 101, 102, 103 }, { 204, 205, 206 } } },
        // [[1],[2]] · [[10,20,30]]: an outer product by broadcasting both sides.
        { "outer", () => Tensor.FromArray(new float[,] { { 1 }, { 2 } }) * Tensor.FromArray(new float[,] { { 10, 20, 30 } }), new float[,] { { 10, 20, 30 }, { 20, 40, 60 } } },
        { "scalar tensor", () => Tensor.Scalar(10) - M23(), new float[,] { { 9, 8, 7 }, { 6, 5, 4 } } },
        { "divide", () => M23() / Tensor.FromArray([1f, 2, 4]), new float[,] { { 1, 1, 0.75f }, { 4, 2.5f, 1.5f } } },
        { "pow", () => Tensor.Pow(M23(), Tensor.FromArray([2f, 0, 0.5f])), new float[,] { { 1, 1, 1.7320508f }, { 16, 1, 2.4494897f } } },
        { "maximum", () => Tensor.Maximum(M23(), Tensor.FromArray([3f, 3, 3])), new float[,] { { 3, 3, 3 }, { 4, 5, 6 } } },
        { "minimum scalar", () => Tensor.Minimum(M23(), 2.5f), new float[,] { { 1, 2, 2.5f }, { 2.5f, 2.5f, 2.5f } } },
        { "x + 1", () => M23() + 1f, new float[,] { { 2, 3, 4 }, { 5, 6, 7 } } },
        { "1 - x", () => 1f - M23(), new float[,] { { 0, -1, -2 }, { -3, -4, -5 } } },
        { "x / 4", () => M23() / 4f, new float[,] { { 0.25f, 0.5f, 0.75f }, { 1, 1.25f, 1.5f } } },
        { "6 / x", () => 6f / M23(), new float[,] { { 6, 3, 2 }, { 1.5f, 1.2f, 1 } } },
        { "-x", () => -M23(), new float[,] { { -1, -2, -3 }, { -4, -5, -6 } } },
        { "square", () => M23().Square(), new float[,] { { 1, 4, 9 }, { 16, 25, 36 } } },
        { "sqrt", () => Tensor.FromArray(new float[,] { { 4, 9, 0.25f } }).Sqrt(), new float[,] { { 2, 3, 0.5f } } },
        { "pow 3", () => M23().Pow(3), new float[,] { { 1, 8, 27 }, { 64, 125, 216 } } },
        { "exp", () => Tensor.FromArray(new float[,] { { 0, 1, -1 } }).Exp(), new float[,] { { 1, 2.7182818f, 0.36787944f } } },
        { "log", () => Tensor.FromArray(new float[,] { { 1, 2.7182818f, 0.5f } }).Log(), new float[,] { { 0, 1, -0.69314718f } } },
        { "abs", () => Tensor.FromArray(new float[,] { { -2, 0, 3 } }).Abs(), new float[,] { { 2, 0, 3 } } },
        { "sign", () => Tensor.FromArray(new float[,] { { -2, 0, 3 } }).Sign(), new float[,] { { -1, 0, 1 } } },
        { "sin", () => Tensor.FromArray(new float[,] { { 0, MathF.PI / 2, -MathF.PI / 6, 10 } }).Sin(), new float[,] { { 0, 1, -0.5f, -0.54402111f } } },
        { "cos", () => Tensor.FromArray(new float[,] { { 0, MathF.PI, MathF.PI / 3, -10 } }).Cos(), new float[,] { { 1, -1, 0.5f, -0.83907153f } } },
    };

    [Fact]
    public void Sin_and_cos_match_double_reference_on_random_inputs()
    {
        var x = TestData.Uniform(1000, 41, -20, 20);
        var t = Tensor.FromArray(x);
        TestData.AssertClose(x.Select(v => (float)Math.Sin(v)).ToArray(), t.Sin().ToArray(), 1e-6, "Sin");
        TestData.AssertClose(x.Select(v => (float)Math.Cos(v)).ToArray(), t.Cos().ToArray(), 1e-6, "Cos");
    }

    [Theory]
    [MemberData(nameof(HandValues))]
    public void Values_match_hand_computation(string name, Func<Tensor> f, float[,] expected)
    {
        Assert.NotNull(name);
        TestData.AssertClose(expected, f(), 1e-6);
    }

    [Theory]
    [InlineData(new[] { 32, 10 }, new[] { 3 }, "Add: shapes [32,10] and [3] cannot broadcast")]
    [InlineData(new[] { 2, 3 }, new[] { 3, 2 }, "Add: shapes [2,3] and [3,2] cannot broadcast")]
    [InlineData(new[] { 4, 1, 3 }, new[] { 2, 2 }, "Add: shapes [4,1,3] and [2,2] cannot broadcast")]
    public void Shape_mismatch_names_op_and_shapes(int[] a, int[] b, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(a) + Tensor.Zeros(b));
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("Subtract")]
    [InlineData("Multiply")]
    [InlineData("Divide")]
    [InlineData("Pow")]
    [InlineData("Maximum")]
    [InlineData("Minimum")]
    public void Every_binary_op_names_itself_in_shape_errors(string op)
    {
        Func<Tensor, Tensor, Tensor> f = op switch
        {
            "Subtract" => Tensor.Subtract,
            "Multiply" => Tensor.Multiply,
            "Divide" => Tensor.Divide,
            "Pow" => Tensor.Pow,
            "Maximum" => Tensor.Maximum,
            _ => Tensor.Minimum,
        };
        var ex = Assert.Throws<ArgumentException>(() => f(Tensor.Zeros(2, 3), Tensor.Zeros(4)));
        Assert.Equal($"{op}: shapes [2,3] and [4] cannot broadcast", ex.Message);
    }

    public static TheoryData<string, Func<Tensor, Tensor>> NaNOps => new()
    {
        { "add", x => x + Tensor.Ones(x.Shape) },
        { "add broadcast", x => x + Tensor.Ones(3) },
        { "multiply scalar", x => x * 2f },
        { "divide", x => x / Tensor.Ones(x.Shape) },
        { "pow", x => Tensor.Pow(x, Tensor.Full(x.Shape, 2f)) },
        { "maximum", x => Tensor.Maximum(x, 0f) },
        { "minimum", x => Tensor.Minimum(x, 0f) },
        { "exp", x => x.Exp() },
        { "log", x => x.Log() },
        { "sqrt", x => x.Sqrt() },
        { "abs", x => x.Abs() },
        { "square", x => x.Square() },
        { "sign", x => x.Sign() },
        { "neg", x => -x },
        { "sin", x => x.Sin() },
        { "cos", x => x.Cos() },
        { "clamp", x => x.Clamp(-1f, 1f) },
    };

    [Theory]
    [MemberData(nameof(NaNOps))]
    public void NaN_in_gives_NaN_out(string name, Func<Tensor, Tensor> op)
    {
        var x = Tensor.FromArray(new float[,] { { 1, float.NaN, 2 }, { 0.5f, 3, float.NaN } });
        var y = op(x).ToArray();
        Assert.True(float.IsNaN(y[1]) && float.IsNaN(y[5]), $"{name}: NaN did not propagate: [{string.Join(", ", y)}]");
        Assert.False(float.IsNaN(y[0]), $"{name}: NaN leaked into a finite element");
    }
}
