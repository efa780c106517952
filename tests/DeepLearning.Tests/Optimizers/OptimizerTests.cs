using DeepLearning.Tests.Training;

namespace DeepLearning.Tests.Optimizers;

public class OptimizerTests
{
    [Fact]
    public void Setup_binds_the_models_parameters_in_order()
    {
        var model = new TinyLinear(3, 2, seed: 1);
        var opt = new Adam().Setup(model);
        Assert.Equal(2, opt.Parameters.Count);
        Assert.Same(model.Weight, opt.Parameters[0]);
        Assert.Same(model.Bias, opt.Parameters[1]);
        Assert.Equal(2, opt.States.Count);
        Assert.Equal(model.Weight.Shape, opt.StateOf(model.Weight).Tensors[0].Shape);
        Assert.Equal(model.Bias.Shape, opt.StateOf(model.Bias).Tensors[1].Shape);
    }

    [Fact]
    public void A_parameter_listed_twice_is_updated_once()
    {
        var p = new Parameter(Tensor.Ones(2));
        var opt = new Descent(0.5f).Setup([p, p]);
        Assert.Single(opt.Parameters);
        using var scope = TensorScope.Begin();
        var (_, grads) = Autodiff.ValueAndGradient(() => p.Sum(), opt.Parameters);
        opt.Update(grads);
        Assert.Equal([0.5f, 0.5f], p.ToArray());
    }

    [Fact]
    public void State_made_inside_a_scope_survives_it_and_updates_are_in_place()
    {
        var model = new TinyLinear(3, 1, seed: 2);
        Optimizer opt;
        using (TensorScope.Begin()) opt = new OptimizerChain(new ClipNorm(1f), new Momentum(0.1f)).Setup(model);
        var weight = model.Weight;
        var (x, y) = TinyLinear.Problem(8, seed: 3);
        for (int i = 0; i < 3; i++)
            using (TensorScope.Begin())
            {
                var (_, grads) = Autodiff.ValueAndGradient(() => TinyLinear.Mse(model.Forward(x), y), opt.Parameters);
                opt.Update(grads);
            }
        Assert.Same(weight, model.Weight);
        Assert.Same(weight, opt.Parameters[0]);
        foreach (var state in opt.States)
        {
            Assert.All(state.Tensors, t => Assert.False(t.IsDisposed));
            Assert.All(state.Children.SelectMany(c => c.Tensors), t => Assert.False(t.IsDisposed));
            Assert.Equal(3, state.Step);
        }
        Assert.Equal(3, opt.Iterations);
    }

    [Fact]
    public void Update_matches_a_hand_step_of_the_tiny_model()
    {
        var model = new TinyLinear(3, 1, seed: 4);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(5, seed: 5);
        var w0 = model.Weight.ToArray();
        float b0 = model.Bias.ToArray()[0];
        var xs = x.ToArray();
        var ys = y.ToArray();
        // d/dw mean((x·w + b − y)²) = 2/N Σ r·x, d/db = 2/N Σ r.
        var gw = new double[3];
        double gb = 0;
        for (int i = 0; i < 5; i++)
        {
            double r = xs[3 * i] * w0[0] + xs[3 * i + 1] * w0[1] + xs[3 * i + 2] * w0[2] + b0 - ys[i];
            for (int j = 0; j < 3; j++) gw[j] += 2.0 / 5 * r * xs[3 * i + j];
            gb += 2.0 / 5 * r;
        }
        using (TensorScope.Begin())
        {
            var (_, grads) = Autodiff.ValueAndGradient(() => TinyLinear.Mse(model.Forward(x), y), opt.Parameters);
            opt.Update(grads);
        }
        var w1 = model.Weight.ToArray();
        for (int j = 0; j < 3; j++) Assert.Equal(w0[j] - 0.1 * gw[j], w1[j], 1e-5);
        Assert.Equal(b0 - 0.1 * gb, model.Bias.ToArray()[0], 1e-5);
    }

    [Fact]
    public void Missing_gradients_name_the_parameter()
    {
        var model = new TinyLinear(3, 1, seed: 6);
        var opt = new Adam().Setup(model);
        using var scope = TensorScope.Begin();
        var grads = Autodiff.Gradient(() => model.Weight.Sum(), [model.Weight]);
        var e = Assert.Throws<KeyNotFoundException>(() => opt.Update(grads));
        Assert.Contains("'bias'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_learning_rate_can_change_mid_run()
    {
        var p = new Parameter(Tensor.Zeros(1));
        var opt = new Descent(0.1f).Setup([p]);
        Step(opt, p);
        opt.LearningRate /= 10;
        Assert.Equal(0.01f, opt.LearningRate);
        Step(opt, p);
        Assert.Equal(-0.11f, p.ToArray()[0], 1e-6f);
    }

    [Fact]
    public void A_chain_sets_the_rate_of_its_rated_rules()
    {
        var adam = new Adam(1e-3f);
        var chain = new OptimizerChain(new ClipNorm(1f), adam);
        var opt = chain.Setup([new Parameter(Tensor.Zeros(1))]);
        Assert.Equal(1e-3f, opt.LearningRate);
        opt.LearningRate = 5e-4f;
        Assert.Equal(5e-4f, adam.LearningRate);
        Assert.True(opt.HasLearningRate);
        var clipOnly = new ClipNorm(1f).Setup([new Parameter(Tensor.Zeros(1))]);
        Assert.False(clipOnly.HasLearningRate);
        Assert.Throws<InvalidOperationException>(() => clipOnly.LearningRate);
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.LearningRate = -1f);
    }

    [Fact]
    public void A_schedule_sets_the_rate_before_each_step()
    {
        var p = new Parameter(Tensor.Zeros(1));
        var opt = new Descent(1f).Setup([p]);
        opt.Schedule = new ExponentialDecay(0.1f, 0.5f);
        for (int i = 0; i < 3; i++) Step(opt, p);
        // Steps of 0.1, 0.05, 0.025 with gradient 1.
        Assert.Equal(-0.175f, p.ToArray()[0], 1e-6f);
        Assert.Equal(0.025f, opt.LearningRate, 1e-7f);
    }

    [Fact]
    public void While_a_schedule_is_set_setting_the_rate_throws_until_it_is_removed()
    {
        var p = new Parameter(Tensor.Zeros(1));
        var opt = new Descent(1f).Setup([p]);
        opt.Schedule = new ExponentialDecay(0.1f, 0.5f);
        Step(opt, p);
        var e = Assert.Throws<InvalidOperationException>(() => opt.LearningRate = 0.3f);
        Assert.Contains("ExponentialDecay", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.3", e.Message, StringComparison.Ordinal);
        Assert.Contains("Schedule = null", e.Message, StringComparison.Ordinal);
        Assert.Equal(0.1f, opt.LearningRate);
        opt.Schedule = null;
        opt.LearningRate = 0.3f;
        Step(opt, p);
        Assert.Equal(-0.4f, p.ToArray()[0], 1e-6f);
    }

    [Fact]
    public void A_rate_changed_on_the_rule_behind_a_schedule_is_caught_at_the_next_update()
    {
        var p = new Parameter(Tensor.Zeros(1));
        var rule = new Adam(1e-3f);
        var opt = rule.Setup([p]);
        opt.Schedule = new ExponentialDecay(0.1f, 0.5f);
        Step(opt, p);
        rule.LearningRate = 0.7f;
        var before = p.ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => Step(opt, p));
        Assert.Contains("0.7", e.Message, StringComparison.Ordinal);
        Assert.Contains("ExponentialDecay", e.Message, StringComparison.Ordinal);
        Assert.Contains("Schedule = null", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, p.ToArray());
        Assert.Equal(1, opt.Iterations);
    }

    private static void Step(Optimizer opt, Parameter p)
    {
        using var scope = TensorScope.Begin();
        var (_, grads) = Autodiff.ValueAndGradient(() => p.Sum(), opt.Parameters);
        opt.Update(grads);
    }
}
