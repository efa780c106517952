namespace DeepLearning.Tests.Ops;

/// <summary>Softmax and log-softmax against values worked out by hand, stability and NaN.</summary>
public class SoftmaxTests
{
    // e¹ = 2.718281828, e² = 7.389056099, e³ = 20.08553692; Σ = 30.19287485; ln Σ = 3.407605964.
    private static readonly float[] Softmax123 = [0.09003057f, 0.24472847f, 0.66524096f];
    private static readonly float[] LogSoftmax123 = [-2.40760596f, -1.40760596f, -0.40760596f];

    [Fact]
    public void Softmax_of_1_2_3()
    {
        TestData.AssertClose(Softmax123, Tensor.FromArray([1f, 2, 3]).Softmax().ToArray(), 1e-6);
        TestData.AssertClose(LogSoftmax123, Tensor.FromArray([1f, 2, 3]).LogSoftmax().ToArray(), 1e-6);
    }

    [Fact]
    public void Rows_are_independent_and_shift_invariant()
    {
        // Row 2 is row 1 + 1000: the same probabilities, and no overflow.
        var x = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 1001, 1002, 1003 }, { -1000, -1000, -1000 } });
        var y = x.Softmax().ToArray();
        TestData.AssertClose([.. Softmax123, .. Softmax123, 1 / 3f, 1 / 3f, 1 / 3f], y, 1e-6);
        // x − (max + ln Σ) is formed in float at magnitude 1000, whose spacing is 6e-5: compare to that.
        var l = x.LogSoftmax().ToArray();
        TestData.AssertClose([.. LogSoftmax123, .. LogSoftmax123, -1.09861229f, -1.09861229f, -1.09861229f], l, 3e-5);
    }

    [Fact]
    public void Gradient_of_one_output_matches_hand_computation()
    {
        // ∂pᵢ/∂xⱼ = pᵢ(δᵢⱼ − pⱼ): for p₂ (the third entry) the gradient is p₂·(e₂ − p).
        var x = Tensor.FromArray([1f, 2, 3]);
        var pick = Tensor.FromArray([0f, 0, 1]);
        var g = Autodiff.Gradient(() => (x.Softmax() * pick).Sum(), [x])[x].ToArray();
        float p0 = Softmax123[0], p1 = Softmax123[1], p2 = Softmax123[2];
        TestData.AssertClose([-p2 * p0, -p2 * p1, p2 * (1 - p2)], g, 1e-6);
        // ∂(log pᵢ)/∂xⱼ = δᵢⱼ − pⱼ.
        var gl = Autodiff.Gradient(() => (x.LogSoftmax() * pick).Sum(), [x])[x].ToArray();
        TestData.AssertClose([-p0, -p1, 1 - p2], gl, 1e-6);
    }

    [Fact]
    public void Scalar_throws_and_NaN_propagates_to_its_row_only()
    {
        Assert.StartsWith("Softmax:", Assert.Throws<InvalidOperationException>(() => Tensor.Scalar(1).Softmax()).Message, StringComparison.Ordinal);
        var x = Tensor.FromArray(new float[,] { { 1, float.NaN }, { 1, 2 } });
        foreach (var y in new[] { x.Softmax().ToArray(), x.LogSoftmax().ToArray() })
        {
            Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]));
            Assert.False(float.IsNaN(y[2]) || float.IsNaN(y[3]));
        }
    }
}
