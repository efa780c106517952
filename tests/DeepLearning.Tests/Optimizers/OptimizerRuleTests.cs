namespace DeepLearning.Tests.Optimizers;

/// <summary>
/// Every rule's steps against the published formula evaluated in double arithmetic (PyTorch's conventions; see each
/// rule's documentation), over several steps of varying gradients, on 19 elements (a SIMD body and a scalar tail).
/// </summary>
public class OptimizerRuleTests
{
    private const int N = 19, Steps = 4;

    /// <summary>A reference stepper: given p and g (double), returns the new p, keeping its own state.</summary>
    internal delegate double[] Stepper(double[] p, double[] g);

    internal sealed record Row(Func<OptimizerRule> Rule, Func<Stepper> Reference);

    internal static readonly Dictionary<string, Row> Rules = new()
    {
        ["Descent"] = new(() => new Descent(0.1f), () => (p, g) => Map(p, g, (pi, gi, _) => pi - 0.1 * gi)),
        ["Sgd"] = new(() => new Sgd(0.05f), () => (p, g) => Map(p, g, (pi, gi, _) => pi - 0.05 * gi)),
        ["Momentum"] = new(() => new Momentum(0.05f, 0.9f), () =>
        {
            var v = new double[N];
            return (p, g) => Map(p, g, (pi, gi, i) => { v[i] = 0.9 * v[i] + gi; return pi - 0.05 * v[i]; });
        }),
        ["Nesterov"] = new(() => new Nesterov(0.05f, 0.8f), () =>
        {
            var v = new double[N];
            return (p, g) => Map(p, g, (pi, gi, i) => { v[i] = 0.8 * v[i] + gi; return pi - 0.05 * (gi + 0.8 * v[i]); });
        }),
        ["Adam"] = new(() => new Adam(0.01f, 0.9f, 0.999f, 1e-8f), () => AdamReference(0.01, 0.9, 0.999, 1e-8, 0)),
        ["Adam(β=0.5,0.6)"] = new(() => new Adam(0.02f, 0.5f, 0.6f, 1e-3f), () => AdamReference(0.02, 0.5, 0.6, 1e-3, 0)),
        ["AdamW"] = new(() => new AdamW(0.01f, 0.1f), () => AdamReference(0.01, 0.9, 0.999, 1e-8, 0.1)),
        ["RmsProp"] = new(() => new RmsProp(0.01f), () =>
        {
            var v = new double[N];
            return (p, g) => Map(p, g, (pi, gi, i) => { v[i] = 0.99 * v[i] + 0.01 * gi * gi; return pi - 0.01 * gi / (Math.Sqrt(v[i]) + 1e-8); });
        }),
        ["AdaGrad"] = new(() => new AdaGrad(0.1f), () =>
        {
            var s = new double[N];
            return (p, g) => Map(p, g, (pi, gi, i) => { s[i] += gi * gi; return pi - 0.1 * gi / (Math.Sqrt(s[i]) + 1e-10); });
        }),
        ["WeightDecay"] = new(() => new WeightDecay(0.1f), () => (p, g) => Map(p, g, (pi, gi, _) => pi - (gi + 0.1 * pi))),
        ["ClipValue"] = new(() => new ClipValue(0.5f), () => (p, g) => Map(p, g, (pi, gi, _) => pi - Math.Clamp(gi, -0.5, 0.5))),
        ["ClipNorm"] = new(() => new ClipNorm(1f), () => (p, g) =>
        {
            double scale = Math.Min(1, 1 / Norm(g));
            return Map(p, g, (pi, gi, _) => pi - scale * gi);
        }),
        ["ClipNorm(large)"] = new(() => new ClipNorm(100f), () => (p, g) => Map(p, g, (pi, gi, _) => pi - gi)),
        ["Chain(ClipNorm, Descent)"] = new(() => new OptimizerChain(new ClipNorm(1f), new Descent(0.1f)), () => (p, g) =>
        {
            double scale = Math.Min(1, 1 / Norm(g));
            return Map(p, g, (pi, gi, _) => pi - 0.1 * scale * gi);
        }),
        ["Chain(WeightDecay, Momentum)"] = new(() => new OptimizerChain(new WeightDecay(0.01f), new Momentum(0.05f, 0.9f)), () =>
        {
            var v = new double[N];
            return (p, g) => Map(p, g, (pi, gi, i) => { v[i] = 0.9 * v[i] + gi + 0.01 * pi; return pi - 0.05 * v[i]; });
        }),
        ["Chain(ClipValue, WeightDecay, Adam)"] = new(() => new OptimizerChain(new ClipValue(0.5f), new WeightDecay(0.1f), new Adam(0.01f)), () =>
        {
            var adam = AdamReference(0.01, 0.9, 0.999, 1e-8, 0);
            return (p, g) => adam(p, Map(p, g, (pi, gi, _) => Math.Clamp(gi, -0.5, 0.5) + 0.1 * pi));
        }),
        ["Chain(Descent)"] = new(() => new OptimizerChain(new Descent(0.3f)), () => (p, g) => Map(p, g, (pi, gi, _) => pi - 0.3 * gi)),
    };

    public static TheoryData<string> RuleNames() => [.. Rules.Keys];

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Steps_match_the_formula(string name)
    {
        var row = Rules[name];
        var rule = row.Rule();
        var reference = row.Reference();
        var p0 = Values(1);
        var param = new Parameter(Tensor.FromArray(p0.Select(v => (float)v).ToArray()));
        var state = rule.Init(param);
        double[] expected = [.. p0.Select(v => (double)(float)v)];
        for (int step = 0; step < Steps; step++)
        {
            var g = Values(10 + step);
            g[3] = 0; // a zero gradient: the adaptive rules must not divide 0 by 0
            float[] gf = [.. g.Select(v => (float)v)];
            using var scope = TensorScope.Begin();
            var grad = Tensor.FromArray(gf);
            rule.Apply(state, param, grad);
            expected = reference(expected, [.. gf.Select(v => (double)v)]);
            Assert.Equal(gf, grad.ToArray()); // the gradient is never modified
            var actual = param.ToArray();
            for (int i = 0; i < N; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 + 1e-5 * Math.Abs(expected[i]),
                    $"{name}, step {step + 1}, element {i}: expected {expected[i]:G9}, got {actual[i]:G9}");
        }
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Transform_returns_the_step_and_leaves_the_parameter(string name)
    {
        var row = Rules[name];
        var applied = new Parameter(Tensor.FromArray(Values(1).Select(v => (float)v).ToArray()));
        var kept = new Parameter(applied);
        var ruleA = row.Rule();
        var ruleB = row.Rule();
        var stateA = ruleA.Init(applied);
        var stateB = ruleB.Init(kept);
        for (int step = 0; step < 3; step++)
        {
            using var scope = TensorScope.Begin();
            var grad = Tensor.FromArray(Values(20 + step).Select(v => (float)v).ToArray());
            var before = kept.ToArray();
            var delta = ruleB.Transform(stateB, kept, grad).ToArray();
            Assert.Equal(before, kept.ToArray());
            var old = applied.ToArray();
            ruleA.Apply(stateA, applied, grad);
            var now = applied.ToArray();
            for (int i = 0; i < N; i++) Assert.Equal(old[i] - delta[i], now[i], 5e-6f);
            // Keep both parameters equal so the next step starts from the same point.
            kept.Assign(applied);
        }
    }

    [Fact]
    public void Adam_counts_steps_and_keeps_two_moments()
    {
        var p = new Parameter(Tensor.Zeros(3));
        var rule = new Adam();
        var state = rule.Init(p);
        Assert.Equal(2, state.Tensors.Count);
        for (int i = 0; i < 5; i++) rule.Apply(state, p, Tensor.Ones(3));
        Assert.Equal(5, state.Step);
        // With a constant gradient g, m̂ = v̂^½ = g exactly after bias correction: each step moves by η·g/(g+ε) ≈ η.
        Assert.All(p.ToArray(), v => Assert.Equal(-5 * 0.001f, v, 1e-6f));
    }

    [Theory]
    [InlineData("Adam", "beta1")]
    [InlineData("Momentum", "momentum")]
    [InlineData("Descent", "learningRate")]
    [InlineData("ClipNorm", "maxNorm")]
    public void Bad_hyper_parameters_throw_naming_the_rule(string rule, string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => rule switch
        {
            "Adam" => (OptimizerRule)new Adam(beta1: 1f),
            "Momentum" => new Momentum(momentum: -0.1f),
            "Descent" => new Descent(float.NaN),
            _ => new ClipNorm(0f),
        });
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void A_gradient_of_the_wrong_shape_is_named()
    {
        var p = new Parameter(Tensor.Zeros(2, 3), "0.weight");
        var rule = new Adam();
        var e = Assert.Throws<ArgumentException>(() => rule.Apply(rule.Init(p), p, Tensor.Zeros(3, 2)));
        Assert.Contains("Adam", e.Message, StringComparison.Ordinal);
        Assert.Contains("[3,2]", e.Message.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("0.weight", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClipNorm_throws_on_a_non_finite_gradient()
    {
        var p = new Parameter(Tensor.Zeros(2), "w");
        var rule = new ClipNorm(1f);
        var e = Assert.Throws<InvalidOperationException>(() => rule.Apply(rule.Init(p), p, Tensor.FromArray([1f, float.NaN])));
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_shows_the_hyper_parameters()
    {
        Assert.Equal("Adam(η=0.001, β=(0.9, 0.999), ε=1E-08)", new Adam().ToString());
        Assert.Equal("OptimizerChain(ClipNorm(c=1), Descent(η=0.1))", new OptimizerChain(new ClipNorm(1f), new Descent(0.1f)).ToString());
    }

    private static double[] Values(int seed)
    {
        // Deterministic values of both signs and several magnitudes.
        var r = new double[N];
        for (int i = 0; i < N; i++) r[i] = Math.Sin(1.7 * i + seed) * (1 + (i % 4)) * 0.7;
        return r;
    }

    private static double[] Map(double[] p, double[] g, Func<double, double, int, double> f)
    {
        var r = new double[p.Length];
        for (int i = 0; i < p.Length; i++) r[i] = f(p[i], g[i], i);
        return r;
    }

    private static double Norm(double[] g) => Math.Sqrt(g.Sum(x => x * x));

    private static Stepper AdamReference(double eta, double b1, double b2, double eps, double lambda)
    {
        var m = new double[N];
        var v = new double[N];
        int t = 0;
        return (p, g) =>
        {
            t++;
            return Map(p, g, (pi, gi, i) =>
            {
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mhat = m[i] / (1 - Math.Pow(b1, t)), vhat = v[i] / (1 - Math.Pow(b2, t));
                double decayed = pi - eta * lambda * pi;     // AdamW: decoupled decay first (PyTorch)
                return decayed - eta * mhat / (Math.Sqrt(vhat) + eps);
            });
        };
    }

    [Fact]
    public void ClipNorm_handles_gradients_whose_squares_overflow_float()
    {
        var p = new Parameter(Tensor.Zeros(2));
        var rule = new ClipNorm(1f);
        var step = rule.Transform(rule.Init(p), p, Tensor.FromArray([3e19f, 4e19f])).ToArray();
        Assert.Equal(0.6f, step[0], 1e-5f);
        Assert.Equal(0.8f, step[1], 1e-5f);
    }
}
