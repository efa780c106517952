namespace DeepLearning.Tests.Ops;

/// <summary>Matrix products against values worked out by hand, and shape errors.</summary>
public class MatMulTests
{
    private static readonly float[,] A = { { 1, 2 }, { 3, 4 } };
    private static readonly float[,] B = { { 5, 6 }, { 7, 8 } };

    public static TheoryData<string, bool, bool, float[,]> Products => new()
    {
        // A·B  = [[1·5+2·7, 1·6+2·8], [3·5+4·7, 3·6+4·8]]
        { "A·B", false, false, new float[,] { { 19, 22 }, { 43, 50 } } },
        // Aᵀ·B = [[1·5+3·7, 1·6+3·8], [2·5+4·7, 2·6+4·8]]
        { "Aᵀ·B", true, false, new float[,] { { 26, 30 }, { 38, 44 } } },
        // A·Bᵀ = [[1·5+2·6, 1·7+2·8], [3·5+4·6, 3·7+4·8]]
        { "A·Bᵀ", false, true, new float[,] { { 17, 23 }, { 39, 53 } } },
        // Aᵀ·Bᵀ = (B·A)ᵀ; B·A = [[5+18, 10+24], [7+24, 14+32]] = [[23,34],[31,46]]
        { "Aᵀ·Bᵀ", true, true, new float[,] { { 23, 31 }, { 34, 46 } } },
    };

    [Theory]
    [MemberData(nameof(Products))]
    public void Product_matches_hand_computation(string name, bool ta, bool tb, float[,] expected)
    {
        Assert.NotNull(name);
        TestData.AssertClose(expected, Tensor.MatMul(Tensor.FromArray(A), Tensor.FromArray(B), ta, tb), 0);
    }

    [Fact]
    public void Batched_and_broadcast_products()
    {
        // Batch 0: A·B; batch 1: I·B = B.
        var a = Tensor.FromArray(new float[,,] { { { 1, 2 }, { 3, 4 } }, { { 1, 0 }, { 0, 1 } } });
        var b = Tensor.FromArray(new float[,,] { { { 5, 6 }, { 7, 8 } }, { { 5, 6 }, { 7, 8 } } });
        Assert.Equal([19f, 22, 43, 50, 5, 6, 7, 8], a.MatMul(b).ToArray());
        Assert.Equal(new Shape(2, 2, 2), a.MatMul(b).Shape);
        // [2,2,2]·[2,1]: each matrix times [1,1]ᵀ gives its row sums.
        var y = a.MatMul(Tensor.FromArray(new float[,] { { 1 }, { 1 } }));
        Assert.Equal(new Shape(2, 2, 1), y.Shape);
        Assert.Equal([3f, 7, 1, 1], y.ToArray());
    }

    [Fact]
    public void Gradient_matches_hand_computation()
    {
        // f = Σ (A·B): dA = 1·Bᵀ (row sums of B per column of A), dB = Aᵀ·1.
        var a = Tensor.FromArray(A);
        var b = Tensor.FromArray(B);
        var g = Autodiff.Gradient(() => a.MatMul(b).Sum(), [a, b]);
        Assert.Equal([11f, 15, 11, 15], g[a].ToArray());
        Assert.Equal([4f, 4, 6, 6], g[b].ToArray());
    }

    [Fact]
    public void Inner_dimension_mismatch_names_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(4, 5).MatMul(Tensor.Zeros(6, 2)));
        Assert.Equal("MatMul: inner dimensions differ: [4,5] · [6,2]", ex.Message);
        Assert.Contains("batch sizes differ", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3, 4).MatMul(Tensor.Zeros(3, 4, 5))).Message, StringComparison.Ordinal);
        Assert.Contains("MatMul: expects", Assert.Throws<ArgumentException>(() => Tensor.Zeros(4).MatMul(Tensor.Zeros(4, 2))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NaN_in_gives_NaN_out()
    {
        var a = Tensor.FromArray(new float[,] { { 1, float.NaN }, { 3, 4 } });
        var y = a.MatMul(Tensor.FromArray(B)).ToArray();
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]));
        Assert.Equal([43f, 50], y[2..]);
    }
}
