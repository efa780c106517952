// Not DeepLearning.Tests.Autodiff: that namespace would hide the Autodiff class in every test file.
namespace DeepLearning.Tests.Differentiation;

/// <summary>The public checker itself: it passes right gradients, fails wrong ones, restores its inputs.</summary>
public class GradientCheckTests
{
    [Fact]
    public void Passes_a_right_gradient_and_restores_inputs()
    {
        var x = Tensor.FromArray([0.5f, -1.25f, 2f]);
        var before = x.ToArray();
        var r = GradientCheck.Run(() => (x.Exp() * x).Sum(), [x]);
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(3, r.Checked);
        Assert.Equal(before, x.ToArray());
    }

    [Fact]
    public void Fails_a_wrong_gradient_and_names_the_element()
    {
        // Inside NoGrad the x² term is invisible to the tape: analytic gradient 1, true gradient 2x + 1.
        var x = Tensor.FromArray([0.5f, 3f]);
        var r = GradientCheck.Run(() =>
        {
            Tensor sq;
            using (Autodiff.NoGrad()) sq = x.Square();
            return sq.Sum() + x.Sum();
        }, [x]);
        Assert.False(r.Passed);
        // Worst element is x[1] = 3: analytic 1, numeric 7, error 6/7.
        Assert.Equal(0, r.WorstInput);
        Assert.Equal(1, r.WorstIndex);
        Assert.Equal(1, r.Analytic, 5);
        Assert.Equal(7, r.Numeric, 2);
        Assert.StartsWith("FAILED: 2 elements, worst input 0[1]", r.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_checked_is_not_a_pass()
    {
        var result = GradientCheck.Run(() => Tensor.Scalar(1f), []);
        Assert.False(result.Passed);
    }

    [Fact]
    public void A_layer_in_its_automatic_mode_is_checked_as_it_trains()
    {
        // BatchNorm in the default mode normalises with batch statistics while a gradient is taken; the finite
        // differences must see the same function, not the evaluation-mode one.
        var bn = new BatchNorm(3);
        var x = Tensor.Normal(new Shape(5, 3), 0f, 1f, seed: 4);
        var r = Tensor.Normal(new Shape(5, 3), 0f, 1f, seed: 5);
        var result = GradientCheck.Run(() => (bn.Forward(x) * r).Sum(), [x, bn.Weight]);
        Assert.True(result.Passed, result.ToString());
    }
}
