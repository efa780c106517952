namespace DeepLearning.Tests.Ops;

public class LayerNormTests
{
    [Theory]
    [InlineData(new[] { 4, 7 })]
    [InlineData(new[] { 2, 3, 33 })]
    [InlineData(new[] { 1, 1 })]
    public void Forward_matches_a_loop_reference(int[] dims)
    {
        using var scope = TensorScope.Begin();
        var shape = new Shape(dims);
        int cols = dims[^1], rows = shape.Length / cols;
        var x = Tensor.Uniform(shape, -3f, 3f, 1);
        var w = Tensor.Uniform(new Shape(cols), 0.5f, 1.5f, 2);
        var b = Tensor.Uniform(new Shape(cols), -1f, 1f, 3);
        var y = Tensor.LayerNorm(x, w, b, 1e-5f).ToArray();
        float[] xs = x.ToArray(), ws = w.ToArray(), bs = b.ToArray();
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, var = 0;
            for (int c = 0; c < cols; c++) mean += xs[r * cols + c];
            mean /= cols;
            for (int c = 0; c < cols; c++) var += Math.Pow(xs[r * cols + c] - mean, 2);
            var /= cols;
            for (int c = 0; c < cols; c++)
            {
                double e = (xs[r * cols + c] - mean) / Math.Sqrt(var + 1e-5) * ws[c] + bs[c];
                Assert.True(Math.Abs(e - y[r * cols + c]) < 1e-4, $"[{r},{c}]: expected {e}, got {y[r * cols + c]}");
            }
        }
    }

    [Fact]
    public void Weight_of_the_wrong_shape_is_named()
    {
        using var scope = TensorScope.Begin();
        var e = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(Tensor.Zeros(2, 4), Tensor.Ones(3), Tensor.Zeros(4)));
        Assert.Contains("LayerNorm: weight [3] and bias [4] must both be [4] for input [2,4]", e.Message, StringComparison.Ordinal);
    }
}
