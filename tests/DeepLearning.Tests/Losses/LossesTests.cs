using DeepLearning.Tests.Layers;

// Namespace DeepLearning.Tests (not .Losses): a namespace named Losses would hide the Losses class from every test.
namespace DeepLearning.Tests;

// One row per loss: the loss, how to draw its prediction and target, and an independent double-precision reference
// giving the per-sample losses (per element for element-wise losses, per row for categorical ones). Every row is
// checked for its value under each reduction, its gradient, its shape error and its stability on ±100 logits.
public class LossesTests
{
    internal delegate Tensor Loss(Tensor prediction, Tensor target, Reduction reduction);

    private static double Sig(double x) => 1 / (1 + Math.Exp(-x));

    private static double[] LogSoftmax(double[] row)
    {
        double max = row.Max(), lse = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
        return [.. row.Select(v => v - lse)];
    }

    internal static readonly (string Name, Loss F, bool Categorical, Func<ulong, (Tensor P, Tensor T)> Data, Func<double[], double[], double> Reference)[] Rows =
    [
        ("Mse", (p, t, r) => DeepLearning.Losses.Mse(p, t, r), false, s => (Random(s, -2, 2), Random(s + 1, -2, 2)), (p, t) => (p[0] - t[0]) * (p[0] - t[0])),
        ("Mae", (p, t, r) => DeepLearning.Losses.Mae(p, t, r), false, s => (Random(s, -2, 2), Shifted(s, 0.3f)), (p, t) => Math.Abs(p[0] - t[0])),
        ("Huber", (p, t, r) => DeepLearning.Losses.Huber(p, t, r, delta: 0.7f), false, s => (Random(s, -2, 2), Shifted(s, 0.3f, 1.4f)),
            (p, t) => Math.Abs(p[0] - t[0]) <= 0.7 ? 0.5 * (p[0] - t[0]) * (p[0] - t[0]) : 0.7 * (Math.Abs(p[0] - t[0]) - 0.35)),
        ("BinaryCrossEntropy", (p, t, r) => DeepLearning.Losses.BinaryCrossEntropy(p, t, r), false, s => (Random(s, 0.1f, 0.9f), Random(s + 1, 0, 1)),
            (p, t) => -(t[0] * Math.Log(p[0]) + (1 - t[0]) * Math.Log(1 - p[0]))),
        ("LogitBinaryCrossEntropy", (p, t, r) => DeepLearning.Losses.LogitBinaryCrossEntropy(p, t, r), false, s => (Random(s, -3, 3), Random(s + 1, 0, 1)),
            (p, t) => -(t[0] * Math.Log(Sig(p[0])) + (1 - t[0]) * Math.Log(1 - Sig(p[0])))),
        ("CrossEntropy", (p, t, r) => DeepLearning.Losses.CrossEntropy(p, t, r), true, s => (Random(s, -2, 2).Softmax(), Random(s + 1, 0, 1).Softmax()),
            (p, t) => -p.Zip(t).Sum(z => z.Second * Math.Log(z.First))),
        ("CrossEntropy smoothed", (p, t, r) => DeepLearning.Losses.CrossEntropy(p, t, r, labelSmoothing: 0.2f), true, s => (Random(s, -2, 2).Softmax(), OneHot(s)),
            (p, t) => -p.Zip(t).Sum(z => (0.8 * z.Second + 0.2 / p.Length) * Math.Log(z.First))),
        ("LogitCrossEntropy", (p, t, r) => DeepLearning.Losses.LogitCrossEntropy(p, t, r), true, s => (Random(s, -3, 3), Random(s + 1, 0, 1).Softmax()),
            (p, t) => -LogSoftmax(p).Zip(t).Sum(z => z.Second * z.First)),
        ("LogitCrossEntropy smoothed", (p, t, r) => DeepLearning.Losses.LogitCrossEntropy(p, t, r, labelSmoothing: 0.1f), true, s => (Random(s, -3, 3), OneHot(s)),
            (p, t) => -LogSoftmax(p).Zip(t).Sum(z => (0.9 * z.Second + 0.1 / p.Length) * z.First)),
        ("CrossEntropy class indices", (p, t, r) => DeepLearning.Losses.CrossEntropy(p, Classes(t), r), true, s => (Random(s, -2, 2).Softmax(), OneHot(s)),
            (p, t) => -Math.Log(p[Array.IndexOf(t, 1.0)])),
        ("LogitCrossEntropy class indices", (p, t, r) => DeepLearning.Losses.LogitCrossEntropy(p, Classes(t), r), true, s => (Random(s, -3, 3), OneHot(s)),
            (p, t) => -LogSoftmax(p)[Array.IndexOf(t, 1.0)]),
    ];

    private static Tensor Random(ulong seed, float lo, float hi) => LayerTesting.Random([6, 4], seed, lo, hi);

    // A target at a distance of at least gap from the prediction (and from δ-kinks), so |ŷ − y| has a derivative.
    private static Tensor Shifted(ulong seed, float gap, float delta = float.NaN)
    {
        var p = Random(seed, -2, 2).ToArray();
        var u = Random(seed + 7, 0, 1).ToArray();
        var t = new float[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            float d = gap + 1.5f * u[i];
            if (MathF.Abs(d - delta) < 0.1f) d = delta + 0.1f;
            t[i] = p[i] + (i % 2 == 0 ? d : -d);
        }
        return Tensor.FromSpan(t, new Shape(6, 4));
    }

    private static Tensor OneHot(ulong seed)
    {
        var t = new float[24];
        for (int i = 0; i < 6; i++) t[i * 4 + (int)((seed + (ulong)i * 3) % 4)] = 1f;
        return Tensor.FromSpan(t, new Shape(6, 4));
    }

    private static int[] Classes(Tensor oneHot) => oneHot.ArgMax(-1);

    // Each two-argument overload, as a method group, next to its full form with the default (mean) reduction.
    private static readonly (Func<Tensor, Tensor, Tensor> Short, Loss Full, Func<ulong, (Tensor P, Tensor T)> Data)[] MethodGroups =
    [
        (DeepLearning.Losses.Mse, (p, t, r) => DeepLearning.Losses.Mse(p, t, r), Rows[0].Data),
        (DeepLearning.Losses.Mae, (p, t, r) => DeepLearning.Losses.Mae(p, t, r), Rows[1].Data),
        (DeepLearning.Losses.Huber, (p, t, r) => DeepLearning.Losses.Huber(p, t, r), Rows[2].Data),
        (DeepLearning.Losses.BinaryCrossEntropy, (p, t, r) => DeepLearning.Losses.BinaryCrossEntropy(p, t, r), Rows[3].Data),
        (DeepLearning.Losses.LogitBinaryCrossEntropy, (p, t, r) => DeepLearning.Losses.LogitBinaryCrossEntropy(p, t, r), Rows[4].Data),
        (DeepLearning.Losses.CrossEntropy, (p, t, r) => DeepLearning.Losses.CrossEntropy(p, t, r), Rows[5].Data),
        (DeepLearning.Losses.LogitCrossEntropy, (p, t, r) => DeepLearning.Losses.LogitCrossEntropy(p, t, r), Rows[7].Data),
    ];

    [Fact]
    public void Two_argument_forms_stand_as_loss_functions_and_take_the_mean()
    {
        foreach (var (shortForm, full, data) in MethodGroups)
        {
            var (p, t) = data(11);
            Assert.Equal(full(p, t, Reduction.Mean).Item(), shortForm(p, t).Item());
        }
    }

    public static TheoryData<string> Names() => [.. Rows.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Value_matches_reference_for_every_reduction(string name)
    {
        var row = Rows.Single(r => r.Name == name);
        var (p, t) = row.Data(3);
        var pa = p.ToArray2D();
        var ta = t.ToArray2D();
        var per = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            if (row.Categorical) per.Add(row.Reference([.. Enumerable.Range(0, 4).Select(j => (double)pa[i, j])], [.. Enumerable.Range(0, 4).Select(j => (double)ta[i, j])]));
            else for (int j = 0; j < 4; j++) per.Add(row.Reference([pa[i, j]], [ta[i, j]]));
        }
        LayerTesting.AssertClose(per.Average(), row.F(p, t, Reduction.Mean).Item(), 1e-5, $"{name} mean");
        LayerTesting.AssertClose(per.Sum(), row.F(p, t, Reduction.Sum).Item(), 1e-5, $"{name} sum");
        var none = row.F(p, t, Reduction.None);
        Assert.Equal(row.Categorical ? new Shape(6) : new Shape(6, 4), none.Shape);
        var values = none.ToArray();
        for (int i = 0; i < per.Count; i++) LayerTesting.AssertClose(per[i], values[i], 1e-5, $"{name} none[{i}]");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient_matches_finite_differences(string name)
    {
        var row = Rows.Single(r => r.Name == name);
        var (p, t) = row.Data(5);
        var result = GradientCheck.Run(() => row.F(p, t, Reduction.Sum), [p], epsilon: 1e-3, tolerance: 1e-2);
        Assert.True(result.Passed, $"{name}: {result}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Different_shapes_are_an_error_naming_the_loss_and_both_shapes(string name)
    {
        var row = Rows.Single(r => r.Name == name);
        var (p, t) = row.Data(1);
        var e = Assert.Throws<ArgumentException>(() => row.F(p.Slice(0, 5), t, Reduction.Mean));
        Assert.StartsWith(name.Split(' ')[0] + ":", e.Message, StringComparison.Ordinal);
        if (!name.EndsWith("indices", StringComparison.Ordinal)) Assert.Contains("[5,4]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LogitBinaryCrossEntropy")]
    [InlineData("LogitCrossEntropy")]
    [InlineData("LogitCrossEntropy class indices")]
    public void Logit_losses_are_finite_for_logits_of_plus_minus_100(string name)
    {
        var row = Rows.Single(r => r.Name == name);
        var logits = Tensor.FromArray(new float[,] { { 100f, -100f, 0f, 100f }, { -100f, -100f, 100f, -100f } });
        var target = Tensor.FromArray(new float[,] { { 0f, 1f, 0f, 0f }, { 1f, 0f, 0f, 0f } });
        var (loss, grads) = Autodiff.ValueAndGradient(() => row.F(logits, target, Reduction.Mean), [logits]);
        Assert.True(float.IsFinite(loss.Item()), $"{name}: loss {loss.Item()}");
        Assert.True(loss.Item() > 50f, $"{name}: confident wrong logits must cost ~100, got {loss.Item()}");
        Assert.All(grads[logits].ToArray(), g => Assert.True(float.IsFinite(g), $"{name}: gradient {g}"));
    }

    [Theory]
    [InlineData(-17f)]
    [InlineData(-30f)]
    public void Logit_binary_cross_entropy_of_a_confident_right_logit_keeps_relative_accuracy(float logit)
    {
        // Target 0, logit x ≪ 0: the loss is ln(1 + eˣ) ≈ eˣ, tiny but far from float's underflow; 0 would be 100% off.
        double t = Math.Exp(logit), expected = t - t * t / 2 + t * t * t / 3; // ln(1 + t) for t < 1e-7, series exact in double
        float got = DeepLearning.Losses.LogitBinaryCrossEntropy(Tensor.FromArray([logit]), Tensor.FromArray([0f])).Item();
        Assert.True(Math.Abs(got - expected) <= 4 * Math.Pow(2, -23) * expected, $"LogitBinaryCrossEntropy({logit}, 0): got {got:G9}, expected {expected:G17}");
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.5f)]
    public void Binary_cross_entropies_reject_targets_outside_unit_interval(float bad)
    {
        var p = Tensor.Full(new Shape(2), 0.5f);
        var t = Tensor.FromArray([0f, bad]);
        Assert.StartsWith("BinaryCrossEntropy:", Assert.Throws<ArgumentException>(() => DeepLearning.Losses.BinaryCrossEntropy(p, t)).Message, StringComparison.Ordinal);
        Assert.StartsWith("LogitBinaryCrossEntropy:", Assert.Throws<ArgumentException>(() => DeepLearning.Losses.LogitBinaryCrossEntropy(p, t)).Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, float[], int, string> LogitsGivenToProbabilityForms() => new()
    {
        { "CrossEntropy", [5f, -3f, 2f], 0, "5" },
        { "CrossEntropy class indices", [0.2f, -3f, 0.5f], 1, "-3" },
        { "BinaryCrossEntropy", [0.5f, 3f], 1, "3" },
        { "BinaryCrossEntropy", [-0.25f, 0.5f], 0, "-0.25" },
    };

    [Theory]
    [MemberData(nameof(LogitsGivenToProbabilityForms))]
    public void Probability_forms_reject_values_outside_unit_interval_naming_value_and_logit_form(string loss, float[] prediction, int at, string value)
    {
        using var scope = TensorScope.Begin();
        var p = Tensor.FromArray(prediction).Reshape(1, prediction.Length);
        var y = Tensor.Zeros(1, prediction.Length);
        Func<Tensor> f = loss switch
        {
            "CrossEntropy" => () => DeepLearning.Losses.CrossEntropy(p, y),
            "CrossEntropy class indices" => () => DeepLearning.Losses.CrossEntropy(p, [0]),
            _ => () => DeepLearning.Losses.BinaryCrossEntropy(p, y),
        };
        var e = Assert.Throws<ArgumentException>(f);
        string name = loss.Split(' ')[0];
        Assert.StartsWith(name + ":", e.Message, StringComparison.Ordinal);
        Assert.Contains($"found {value} at element {at} of prediction [1,{prediction.Length}]", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("use Logit" + name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_with_a_probability_loss_on_a_logit_model_stops_at_the_first_batch()
    {
        // The case: a model ending in logits trained with CrossEntropy learned nothing, silently.
        var model = new Dense(2, 3, seed: 4);
        var x = Tensor.Full(new Shape(8, 2), 10f);
        var y = Tensor.OneHot([0, 1, 2, 0, 1, 2, 0, 1], 3);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(DeepLearning.Losses.CrossEntropy, x, y, new Descent(0.1f).Setup(model), batchSize: 4));
        Assert.Contains("use LogitCrossEntropy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrossEntropy_takes_rows_that_do_not_sum_to_one_as_given()
    {
        using var scope = TensorScope.Begin();
        var p = Tensor.FromArray(new float[,] { { 0.2f, 0.2f, 0.2f }, { 0.5f, 0.25f, 0.5f } });
        var loss = DeepLearning.Losses.CrossEntropy(p, [0, 1], Reduction.None).ToArray();
        LayerTesting.AssertClose(-Math.Log(0.2), loss[0], 1e-6, "row of 0.6");
        LayerTesting.AssertClose(-Math.Log(0.25), loss[1], 1e-6, "row of 1.25");
    }

    [Fact]
    public void Probability_forms_pass_NaN_through_to_the_loss()
    {
        using var scope = TensorScope.Begin();
        var p = Tensor.FromArray(new float[,] { { float.NaN, 0.5f } });
        Assert.True(float.IsNaN(DeepLearning.Losses.CrossEntropy(p, [1]).Item()));
        Assert.True(float.IsNaN(DeepLearning.Losses.BinaryCrossEntropy(p, Tensor.Ones(1, 2)).Item()));
    }

    [Fact]
    public void Value_checks_are_skipped_with_no_device_read_where_memory_is_not_host_memory()
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var logits = Tensor.FromArray(new float[,] { { 5f, -3f, 2f } }, device);
        var oneHot = Tensor.FromArray(new float[,] { { 1f, 0f, 0f } }, device);
        var badTarget = Tensor.FromArray(new float[,] { { 1.5f, 0f, 0f } }, device);
        Tensor[] losses =
        [
            DeepLearning.Losses.CrossEntropy(logits, oneHot),
            DeepLearning.Losses.BinaryCrossEntropy(logits, oneHot),
            DeepLearning.Losses.BinaryCrossEntropy(oneHot, badTarget),
            DeepLearning.Losses.LogitBinaryCrossEntropy(logits, badTarget),
        ];
        Assert.Equal(0, backend.Downloads);
        Assert.All(losses, l => Assert.Equal(Shape.Scalar, l.Shape));
    }

    [Fact]
    public void Probability_forms_clamp_zero_and_one()
    {
        var p = Tensor.FromArray([0f, 1f]);
        var bce = DeepLearning.Losses.BinaryCrossEntropy(p, Tensor.FromArray([1f, 0f])).Item();
        Assert.True(float.IsFinite(bce) && bce > 10f, $"BCE {bce}");
        var ce = DeepLearning.Losses.CrossEntropy(Tensor.FromArray(new float[,] { { 0f, 1f } }), [0]).Item();
        Assert.True(float.IsFinite(ce) && ce > 10f, $"CE {ce}");
    }

    [Fact]
    public void Class_indices_out_of_range_or_miscounted_are_errors()
    {
        var logits = Tensor.Zeros(3, 4);
        Assert.Contains("class index 4 of sample 1", Assert.Throws<ArgumentException>(() => DeepLearning.Losses.LogitCrossEntropy(logits, [0, 4, 1])).Message, StringComparison.Ordinal);
        Assert.Contains("2 class indices", Assert.Throws<ArgumentException>(() => DeepLearning.Losses.CrossEntropy(logits, [0, 1])).Message, StringComparison.Ordinal);
    }
}
