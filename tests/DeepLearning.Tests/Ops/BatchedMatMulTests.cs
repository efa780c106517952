namespace DeepLearning.Tests.Ops;

public class BatchedMatMulTests
{
    [Theory]
    [InlineData(new[] { 2, 1, 3, 4 }, new[] { 3, 4, 5 }, false)]
    [InlineData(new[] { 3, 4 }, new[] { 2, 2, 4, 5 }, false)]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 5, 4 }, true)]
    public void Broadcasts_leading_axes_like_numpy_matmul(int[] aDims, int[] bDims, bool transposeB)
    {
        using var scope = TensorScope.Begin();
        var a = Tensor.Uniform(new Shape(aDims), -1f, 1f, 1);
        var b = Tensor.Uniform(new Shape(bDims), -1f, 1f, 2);
        var y = Tensor.BatchedMatMul(a, b, transposeB: transposeB);
        int m = aDims[^2], k = aDims[^1], n = transposeB ? bDims[^2] : bDims[^1];
        var lead = Shape.Broadcast(new Shape(aDims[..^2]), new Shape(bDims[..^2]), "test");
        Assert.Equal(lead.Dims.ToArray().Concat([m, n]), y.Shape.Dims.ToArray());
        float[] av = a.ToArray(), bv = b.ToArray(), yv = y.ToArray();
        // Index of lead position `i` in an operand with leading dims `own` (broadcast axes read entry 0).
        static int Index(int i, Shape lead, int[] own)
        {
            int r = 0, stride = 1;
            for (int d = lead.Rank - 1, od = own.Length - 1; d >= 0; d--, od--)
            {
                int coord = i % lead.Dims[d];
                i /= lead.Dims[d];
                if (od < 0) continue;
                if (own[od] != 1) r += coord * stride;
                stride *= own[od];
            }
            return r;
        }
        for (int i = 0; i < lead.Length; i++)
        {
            int ia = Index(i, lead, aDims[..^2]) * m * k, ib = Index(i, lead, bDims[..^2]) * k * n;
            for (int r = 0; r < m; r++)
                for (int c = 0; c < n; c++)
                {
                    double sum = 0;
                    for (int j = 0; j < k; j++) sum += av[ia + r * k + j] * (double)bv[ib + (transposeB ? c * k + j : j * n + c)];
                    Assert.True(Math.Abs(sum - yv[(i * m + r) * n + c]) < 1e-5, $"batch {i} [{r},{c}]");
                }
        }
    }

    [Fact]
    public void Scale_rides_in_the_product()
    {
        using var scope = TensorScope.Begin();
        var a = Tensor.Uniform(new Shape(2, 3, 4), -1f, 1f, 3);
        var b = Tensor.Uniform(new Shape(2, 5, 4), -1f, 1f, 4);
        float[] plain = Tensor.BatchedMatMul(a, b, transposeB: true).ToArray();
        float[] scaled = Tensor.BatchedMatMul(a, b, false, true, 0.25f).ToArray();
        for (int i = 0; i < plain.Length; i++) Assert.Equal(0.25f * plain[i], scaled[i], 6);
    }

    [Fact]
    public void Leading_axes_that_do_not_broadcast_are_named()
    {
        using var scope = TensorScope.Begin();
        var e = Assert.Throws<ArgumentException>(() => Tensor.BatchedMatMul(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3, 4, 5)));
        Assert.Contains("BatchedMatMul", e.Message, StringComparison.Ordinal);
        var k = Assert.Throws<ArgumentException>(() => Tensor.BatchedMatMul(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3, 5)));
        Assert.Contains("BatchedMatMul: inner dimensions differ: [2,3,4] · [3,5]", k.Message, StringComparison.Ordinal);
    }
}
