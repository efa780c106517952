// Not DeepLearning.Tests.Autodiff: that namespace would hide the Autodiff class in every test file.
namespace DeepLearning.Tests.Differentiation;


/// <summary>The tape: accumulation, unused sources, scalar results, no-grad scopes, nothing recorded outside gradient calls.</summary>
public class AutodiffTests
{
    public static TheoryData<string, Func<Tensor, Tensor>, float[]> Accumulation => new()
    {
        // x = [1, 2, 3]
        // Σ x·x: d/dx = 2x.
        { "x*x", x => (x * x).Sum(), [2, 4, 6] },
        // y = x + x: d/dx Σ y = 2.
        { "x+x", x => (x + x).Sum(), [2, 2, 2] },
        // Two branches of one value: Σ (e·2 + e·e) with e = 3x: d/dx = 3·(2 + 2e) = 6 + 18x.
        { "two branches", x => { var e = x * 3f; return (e * 2f + e * e).Sum(); }, [24, 42, 60] },
        // x used three times: Σ x·x·x = Σ x³: 3x².
        { "x*x*x", x => (x * x * x).Sum(), [3, 12, 27] },
        // x − x has zero gradient.
        { "x-x", x => (x - x).Sum(), [0, 0, 0] },
        // x / x: (1/x) + x·(−1/x²) = 0.
        { "x/x", x => (x / x).Sum(), [0, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(Accumulation))]
    public void Gradients_accumulate_where_a_value_is_used_more_than_once(string name, Func<Tensor, Tensor> f, float[] expected)
    {
        var x = Tensor.FromArray([1f, 2, 3]);
        var g = Autodiff.Gradient(() => f(x), [x])[x];
        TestData.AssertClose(expected, g.ToArray(), 1e-6, name);
    }

    [Fact]
    public void Value_and_gradient_together()
    {
        // f = Σ (w·x)² with w = 2, x = [1, 2]: f = 4 + 16 = 20; df/dw = Σ 2(wx)·x = 2·2·1 + 2·4·2 = 20.
        var w = Tensor.Scalar(2);
        var x = Tensor.FromArray([1f, 2]);
        var (value, grads) = Autodiff.ValueAndGradient(() => (w * x).Square().Sum(), [w]);
        Assert.Equal(20f, value.Item());
        Assert.Equal(20f, grads[w].Item());
        Assert.Equal(1, grads.Count);
    }

    [Fact]
    public void A_source_not_used_gets_zeros()
    {
        var x = Tensor.FromArray([1f, 2]);
        var unused = Tensor.Ones(2, 3);
        var g = Autodiff.Gradient(() => x.Sum(), [x, unused]);
        Assert.Equal(new Shape(2, 3), g[unused].Shape);
        Assert.All(g[unused].ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<KeyNotFoundException>(() => g[Tensor.Zeros(1)]);
    }

    [Fact]
    public void A_function_not_depending_on_any_source_gives_zeros()
    {
        var x = Tensor.FromArray([1f, 2]);
        var g = Autodiff.Gradient(() => Tensor.Ones(3).Sum(), [x]);
        Assert.Equal([0f, 0], g[x].ToArray());
    }

    [Fact]
    public void Gradient_of_a_non_scalar_throws_a_clear_error()
    {
        var x = Tensor.FromArray([1f, 2]);
        var ex = Assert.Throws<InvalidOperationException>(() => Autodiff.Gradient(() => x * 2f, [x]));
        Assert.Contains("must return a scalar", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[2]", ex.Message, StringComparison.Ordinal);
        // The failed call leaves nothing recording.
        Assert.False(Autodiff.IsRecording);
    }

    [Fact]
    public void NoGrad_records_nothing()
    {
        var x = Tensor.FromArray([1f, 2]);
        var g = Autodiff.Gradient(() =>
        {
            Assert.True(Autodiff.IsRecording);
            Tensor detached;
            using (Autodiff.NoGrad())
            {
                Assert.False(Autodiff.IsRecording);
                detached = x * 5f;
            }
            Assert.True(Autodiff.IsRecording);
            // Only the recorded x·x contributes: 2x; the detached 5x is a constant.
            return (x * x + detached).Sum();
        }, [x]);
        Assert.Equal([2f, 4], g[x].ToArray());
    }

    [Fact]
    public void Nothing_records_outside_gradient_calls()
    {
        Assert.False(Autodiff.IsRecording);
        using (Autodiff.NoGrad()) Assert.False(Autodiff.IsRecording);
        var x = Tensor.FromArray([1f, 2]);
        // A tensor computed before a gradient call is a constant inside it.
        var y = x * x;
        var g = Autodiff.Gradient(() => (y * x).Sum(), [x]);
        Assert.Equal([1f, 4], g[x].ToArray());
        Assert.False(Autodiff.IsRecording);
    }

    [Fact]
    public void Sources_can_be_parameters_and_repeated_calls_are_independent()
    {
        var w = new Parameter(Tensor.FromArray([3f]), "w");
        for (int i = 0; i < 3; i++)
        {
            var g = Autodiff.Gradient(() => (w * w).Sum(), [w]);
            Assert.Equal(6f, g[w].Item());
        }
    }

    [Fact]
    public void A_gradient_taken_inside_another_leaves_the_outer_one_intact()
    {
        var x = Tensor.FromArray([3f]);
        var y = Tensor.FromArray([2f]);
        var g = Autodiff.Gradient(() =>
        {
            var a = (x * x).Sum();
            _ = Autodiff.ValueAndGradient(() => (x * y).Sum(), [x]);
            return a + x.Sum();
        }, [x]);
        Assert.Equal([7f], g[x].ToArray()); // d(x² + x)/dx = 2x + 1; the inner call's result is not part of it
    }

    [Fact]
    public void Concat_keeps_its_inputs_when_the_caller_reuses_the_list()
    {
        var a = Tensor.FromArray([1f, 2]);
        var b = Tensor.FromArray([3f]);
        var g = Autodiff.Gradient(() =>
        {
            var list = new List<Tensor> { a, b };
            var c = Tensor.Concat(list);
            list.Clear();
            return c.Square().Sum();
        }, [a, b]);
        Assert.Equal([2f, 4f], g[a].ToArray());
        Assert.Equal([6f], g[b].ToArray());
    }

    [Fact]
    public void A_no_grad_scope_disposed_after_its_gradient_call_does_not_disturb_the_next()
    {
        var x = Tensor.FromArray([2f]);
        NoGradScope leaked = default;
        _ = Autodiff.Gradient(() =>
        {
            leaked = Autodiff.NoGrad();
            return x.Sum();
        }, [x]);
        var g = Autodiff.Gradient(() =>
        {
            leaked.Dispose();
            return (x * x).Sum();
        }, [x]);
        Assert.Equal([4f], g[x].ToArray());
    }
}
