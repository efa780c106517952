namespace DeepLearning.Tests.Layers;

public class MultiHeadAttentionTests
{
    private const int B = 2, T = 4, E = 6, Heads = 3;

    /// <summary>Self-attention written as loops over batch, head, query and key positions, in double.</summary>
    private static float[] Reference(MultiHeadAttention mha, float[] x, bool causal)
    {
        float[] w = mha.InProjWeight.ToArray(), bi = mha.InProjBias.ToArray(), wo = mha.OutProj.Weight.ToArray(), bo = mha.OutProj.Bias!.ToArray();
        int d = E / Heads;
        double Proj(int b, int t, int row)
        {
            double s = bi[row];
            for (int j = 0; j < E; j++) s += w[row * E + j] * (double)x[(b * T + t) * E + j];
            return s;
        }
        var y = new float[B * T * E];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
            {
                var concat = new double[E];
                for (int h = 0; h < Heads; h++)
                {
                    var scores = new double[T];
                    double max = double.NegativeInfinity;
                    for (int s = 0; s < T; s++)
                    {
                        if (causal && s > t) { scores[s] = double.NegativeInfinity; continue; }
                        double dot = 0;
                        for (int c = 0; c < d; c++) dot += Proj(b, t, h * d + c) * Proj(b, s, E + h * d + c);
                        scores[s] = dot / Math.Sqrt(d);
                        max = Math.Max(max, scores[s]);
                    }
                    double z = scores.Sum(v => Math.Exp(v - max));
                    for (int s = 0; s < T; s++)
                    {
                        double a = Math.Exp(scores[s] - max) / z;
                        for (int c = 0; c < d; c++) concat[h * d + c] += a * Proj(b, s, 2 * E + h * d + c);
                    }
                }
                for (int o = 0; o < E; o++)
                {
                    double s = bo[o];
                    for (int j = 0; j < E; j++) s += wo[o * E + j] * concat[j];
                    y[(b * T + t) * E + o] = (float)s;
                }
            }
        return y;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Self_attention_matches_a_loop_reference(bool causal)
    {
        using var scope = TensorScope.Begin();
        var mha = new MultiHeadAttention(E, Heads, causal, seed: 1);
        mha.InProjBias.Assign(Tensor.Uniform(mha.InProjBias.Shape, -0.5f, 0.5f, 2));
        mha.OutProj.Bias!.Assign(Tensor.Uniform(mha.OutProj.Bias.Shape, -0.5f, 0.5f, 3));
        var x = Tensor.Uniform(new Shape(B, T, E), -1f, 1f, 4);
        var y = mha.Forward(x);
        Assert.Equal(new Shape(B, T, E), y.Shape);
        RecurrentReference.AssertClose(Reference(mha, x.ToArray(), causal), y.ToArray(), 1e-5, "attention");
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        using var scope = TensorScope.Begin();
        var mha = new MultiHeadAttention(4, 2, causal: true, seed: 5);
        var x = Tensor.Uniform(new Shape(2, 3, 4), -1f, 1f, 6);
        var result = GradientCheck.Run(() => LayerTesting.WeightedSum(mha.Forward(x)), [x, .. mha.Parameters()], epsilon: 1e-2, tolerance: 2e-2);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Parameters_carry_PyTorch_names()
    {
        var names = new MultiHeadAttention(E, Heads).NamedParameters().Select(p => $"{p.Key} {p.Value.Shape}");
        Assert.Equal(["in_proj_weight [18,6]", "in_proj_bias [18]", "out_proj.weight [6,6]", "out_proj.bias [6]"], names);
    }

    [Fact]
    public void A_mask_of_the_wrong_shape_names_the_layer()
    {
        using var scope = TensorScope.Begin();
        var mha = new MultiHeadAttention(E, Heads);
        var x = Tensor.Zeros(B, T, E);
        var e = Assert.Throws<ArgumentException>(() => mha.Forward(x, x, x, Tensor.Ones(T, T + 1)));
        Assert.Contains("MultiHeadAttention(6, heads: 3): mask [4,5] must be [4,4] or [2,4,4]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiHeadAttention(6, 4));
    }
}
