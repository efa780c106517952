using System.Runtime.Intrinsics;
using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// Precision sweep of every unary map: forward through <see cref="CpuBackend.Unary"/> and the fused backward through
/// <see cref="CpuBackend.UnaryBackward"/>, against double-precision references, on a log-spaced grid of magnitudes
/// 1e-8 … 1e4 of both signs. Errors are counted in ε = 2⁻²³ (one ulp of 1) relative to the true value; a correctly
/// rounded result is within 0.5ε. Where the true value is below float's normal range, any result within
/// <see cref="float.MinNormal"/> passes (float cannot hold it to relative accuracy); beyond float's range the result
/// must be the infinity of the same sign; where the op is undefined (NaN in double) it must be NaN.
/// </summary>
public class ActivationOperatorsTests
{
    private const double Eps = 1.0 / (1 << 23);
    private const float MinNormal = 1.17549435e-38f;
    private static readonly double GeluC2 = 2 * Math.Sqrt(2 / Math.PI);

    /// <summary>
    /// One row per op: α, f(x, α) and f′(x, α) in double, the forward bound and the backward bound in ε, and the
    /// backward's floor scale s: the backward passes when |dx − dy·f′| ≤ bound·ε·(|dy·f′| + s·|dy|). s &gt; 0 only where
    /// the rule forms a difference of O(1) terms (1 − y², y + α, s + x·s(1−s)…) whose rounding is absolute, not relative.
    /// Growth, where given, is added to the forward bound at x.
    /// </summary>
    private sealed record Row(UnaryOp Op, float Alpha, Func<double, double, double> F, Func<double, double, double> D,
        double Forward, double Backward, double BackwardFloor, string Why, Func<double, double>? Growth = null)
    {
        /// <summary>The forward bound at x: the constant plus what grows with x where the float rounding of an exponent's argument is inherent.</summary>
        public double ForwardAt(double x) => Forward + (Growth?.Invoke(x) ?? 0);
    }

    private static readonly Row[] Rows =
    [
        new(UnaryOp.Identity, 0f, (x, a) => x, (x, a) => 1, 0, 0, 0, "a copy"),
        new(UnaryOp.Neg, 0f, (x, a) => -x, (x, a) => -1, 0, 0, 0, "exact"),
        new(UnaryOp.Abs, 0f, (x, a) => Math.Abs(x), (x, a) => Math.Sign(x), 0, 0, 0, "exact"),
        new(UnaryOp.Sign, 0f, (x, a) => Math.Sign(x), (x, a) => 0, 0, 0, 0, "exact"),
        new(UnaryOp.Relu, 0f, (x, a) => Math.Max(x, 0), (x, a) => x > 0 ? 1 : 0, 0, 0, 0, "exact"),
        new(UnaryOp.LeakyRelu, 0.1f, (x, a) => x > 0 ? x : a * x, (x, a) => x > 0 ? 1 : a, 0.5, 0.5, 0, "one rounded product"),
        new(UnaryOp.Square, 0f, (x, a) => x * x, (x, a) => 2 * x, 0.5, 0.5, 0, "one rounded product"),
        new(UnaryOp.Sqrt, 0f, (x, a) => Math.Sqrt(x), (x, a) => 0.5 / Math.Sqrt(x), 0.5, 1.5, 0, "IEEE sqrt is correctly rounded; backward divides by the rounded y"),
        new(UnaryOp.AddScalar, 1.5f, (x, a) => x + a, (x, a) => 1, 0.5, 0, 0, "one rounded sum of the float operands"),
        new(UnaryOp.MulScalar, -2.5f, (x, a) => x * a, (x, a) => a, 0.5, 0.5, 0, "one rounded product"),
        new(UnaryOp.RDivScalar, 3f, (x, a) => a / x, (x, a) => -a / (x * x), 0.5, 2, 0, "one rounded quotient; backward −dy·y/x: y rounded, two more roundings"),
        new(UnaryOp.Exp, 0f, (x, a) => Math.Exp(x), (x, a) => Math.Exp(x), 2, 1.5, 0, "TensorPrimitives.Exp is within 1.2ε on this grid; backward dy·y"),
        new(UnaryOp.Log, 0f, (x, a) => Math.Log(x), (x, a) => 1 / x, 1, 0.5, 0, "vector log is evaluated in double; backward one quotient"),
        new(UnaryOp.PowScalar, 2.5f, Math.Pow, (x, a) => a * Math.Pow(x, a - 1), 2, 3, 0, "pow via exp/log in double; backward three more products"),
        new(UnaryOp.RPowScalar, 1.7f, (x, a) => Math.Pow(a, x), (x, a) => Math.Pow(a, x) * Math.Log(a), 2, 3, 0, "pow via exp/log in double; backward dy·y·ln α"),
        new(UnaryOp.Sin, 0f, (x, a) => Math.Sin(x), (x, a) => Math.Cos(x), 2, 2, 4,
            "TensorPrimitives.Sin; near its roots the error is absolute (a few ε), not relative; backward dy·cos x likewise",
            x => 4 / Math.Max(Math.Abs(Math.Sin(x)), 1e-300)),
        new(UnaryOp.Cos, 0f, (x, a) => Math.Cos(x), (x, a) => -Math.Sin(x), 2, 2, 4,
            "TensorPrimitives.Cos; near its roots the error is absolute (a few ε), not relative; backward −dy·sin x likewise",
            x => 4 / Math.Max(Math.Abs(Math.Cos(x)), 1e-300)),
        new(UnaryOp.Sigmoid, 0f, (x, a) => 1 / (1 + Math.Exp(-x)), (x, a) => Sigmoid(x) * Sigmoid(-x), 2, 2, 1, "exp, a sum, a quotient; backward y(1 − y) cancels near y = 1"),
        new(UnaryOp.Tanh, 0f, (x, a) => Math.Tanh(x), (x, a) => 1 / (Math.Cosh(x) * Math.Cosh(x)), 2, 2, 1, "−expm1(−2|x|)/(2 + expm1(−2|x|)) (1.5ε measured); backward 1 − y² cancels near |y| = 1"),
        new(UnaryOp.Elu, 0.7f, (x, a) => x > 0 ? x : a * Expm1(x), (x, a) => x > 0 ? 1 : a * Math.Exp(x), 2, 2, 1, "α·expm1(x) (1.4ε measured); backward dy·(y + α) cancels where y ≈ −α"),
        new(UnaryOp.Swish, 0f, (x, a) => x * Sigmoid(x), (x, a) => Sigmoid(x) * (1 + x * Sigmoid(-x)), 2, 4, 2,
            "x·σ(x), σ overflow-free; below x = −87.3 σ is subnormal, off by up to one subnormal step; backward s(1 + x(1 − s)) has a root near x = −1.28",
            x => SubnormalStep(Sigmoid(x))),
        new(UnaryOp.Gelu, 0f, (x, a) => x * Sigmoid(GeluC2 * (x + 0.044715 * x * x * x)), GeluDerivative, 2, 4, 4,
            "x·σ(2u): u's rounding (≤ 3ε relative) enters the exponent, so the tail error grows as 3|2u|ε; backward has a root near x = −0.75",
            x => 3 * Math.Abs(GeluC2 * (x + 0.044715 * x * x * x))),
        new(UnaryOp.Softplus, 0f, (x, a) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x))), (x, a) => Sigmoid(x), 3, 2, 0,
            "max(x,0) + log1p(e^−|x|): exp ≤ 1, log1p by Goldberg's u = 1 + t trick (1.8ε measured); backward dy·σ(x)"),
        new(UnaryOp.HardSigmoid, 0f, (x, a) => Math.Clamp((x + 3) / 6, 0, 1), (x, a) => x > -3 && x < 3 ? 1.0 / 6 : 0, 2, 1, 0,
            "(x + 3)·(1/6): a sum (exact near −3) and a product by 1/6 rounded"),
    ];

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>One step of float's subnormal range relative to v, in ε: what rounding v to float costs where v is subnormal.</summary>
    private static double SubnormalStep(double v) => Math.Abs(v) < MinNormal ? float.Epsilon / Math.Abs(v) / Eps : 0;

    // Series below 1e-5 (its next term is < 1e-15 relative); above, the cancellation costs < 1e-11 relative.
    private static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

    private static double Log1p(double t) => Math.Abs(t) < 1e-5 ? t - t * t / 2 + t * t * t / 3 : Math.Log(1 + t);

    private static double GeluDerivative(double x, double a)
    {
        double u = GeluC2 * (x + 0.044715 * x * x * x), s = Sigmoid(u);
        return s + x * s * Sigmoid(-u) * GeluC2 * (1 + 3 * 0.044715 * x * x);
    }

    /// <summary>±10^(−8 + k/64), k = 0 … 768, signs interleaved.</summary>
    internal static float[] Grid()
    {
        var g = new float[2 * 769];
        for (int k = 0; k <= 768; k++)
        {
            float m = (float)Math.Pow(10, -8 + k / 64.0);
            g[2 * k] = m;
            g[2 * k + 1] = -m;
        }
        return g;
    }

    /// <summary>Call lengths: 7 (scalar tail only), 16 (one Vector512, two Vector256 per call), 33 and the whole grid.</summary>
    private static readonly int[] Chunks = [7, 16, 33, int.MaxValue];

    public static TheoryData<UnaryOp> Ops => new(Enum.GetValues<UnaryOp>());

    private static Row RowOf(UnaryOp op) =>
        Rows.SingleOrDefault(r => r.Op == op) ?? throw new InvalidOperationException($"{op} has no precision row: add one");

    /// <summary>The error in ε, or 0 when the result is what float can give (NaN for NaN, same-sign ∞, ≤ MinNormal off).</summary>
    internal static double Error(double expected, float actual, double floor)
    {
        if (double.IsNaN(expected)) return float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        if (Math.Abs(expected) > float.MaxValue) return float.IsInfinity(actual) && Math.Sign(actual) == Math.Sign(expected) ? 0 : double.PositiveInfinity;
        double diff = Math.Abs(actual - expected);
        if (Math.Abs(expected) < MinNormal && diff <= MinNormal) return 0;
        if (diff == 0) return 0;
        return diff / (Math.Abs(expected) + floor) / Eps;
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Forward_is_within_its_bound_over_the_whole_range(UnaryOp op)
    {
        var row = RowOf(op);
        var x = Grid();
        foreach (int chunk in Chunks)
        {
            var y = new float[x.Length];
            for (int s = 0; s < x.Length; s += chunk)
            {
                int n = Math.Min(chunk, x.Length - s);
                var xb = With(x[s..(s + n)], 0);
                var yb = Empty(n, 0);
                Backend.Unary(op, row.Alpha, xb, 0, yb, 0, n);
                Read(yb, 0, n).CopyTo(y, s);
                xb.Release();
                yb.Release();
            }
            AssertWithin(op, "forward", chunk, x, i => row.F(x[i], row.Alpha), y, i => row.ForwardAt(x[i]), _ => 0);
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Backward_is_within_its_bound_over_the_whole_range(UnaryOp op)
    {
        var row = RowOf(op);
        var x = Grid();
        // y as the forward would give it at best (correctly rounded); dy of both signs and varied magnitude.
        var y = x.Select(v => (float)row.F(v, row.Alpha)).ToArray();
        var dy = TestData.Uniform(x.Length, 17, 0.5, 2);
        for (int i = 0; i < dy.Length; i += 3) dy[i] = -dy[i];
        foreach (int chunk in Chunks)
        {
            var dx = new float[x.Length];
            for (int s = 0; s < x.Length; s += chunk)
            {
                int n = Math.Min(chunk, x.Length - s);
                var xb = With(x[s..(s + n)], 0);
                var yb = With(y[s..(s + n)], 0);
                var gb = With(dy[s..(s + n)], 0);
                var db = Empty(n, 0);
                Backend.UnaryBackward(op, row.Alpha, xb, 0, yb, 0, gb, 0, db, 0, n);
                Read(db, 0, n).CopyTo(dx, s);
                foreach (var b in new[] { xb, yb, gb, db }) b.Release();
            }
            AssertWithin(op, "backward", chunk, x, i => dy[i] * row.D(x[i], row.Alpha), dx, _ => row.Backward, i => row.BackwardFloor * Math.Abs(dy[i]));
        }
    }

    private static void AssertWithin(UnaryOp op, string what, int chunk, float[] x, Func<int, double> expected, float[] actual, Func<int, double> bound, Func<int, double> floor)
    {
        double worst = 0;
        int at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = Error(expected(i), actual[i], floor(i)) / bound(i);
            if (e > worst) (worst, at) = (e, i);
        }
        Assert.True(worst <= 1,
            $"{op} {what} (calls of {chunk}): {worst * bound(at):G3}ε > {bound(at):G3}ε at x = {x[at]:G9}: got {actual[at]:G9}, expected {expected(at):G17}");
    }

    private delegate Vector256<float> Body256(Vector256<float> x, Vector256<float> alpha);

    /// <summary>The Vector256 bodies of the own operators, which a machine with AVX-512 never runs through the backend.</summary>
    public static TheoryData<UnaryOp> OwnOps => new(UnaryOp.Tanh, UnaryOp.Elu, UnaryOp.Gelu, UnaryOp.Swish, UnaryOp.Softplus, UnaryOp.HardSigmoid, UnaryOp.LeakyRelu);

    private static Body256 Vector256Body(UnaryOp op) => op switch
    {
        UnaryOp.Tanh => TanhOp.Invoke,
        UnaryOp.Elu => EluOp.Invoke,
        UnaryOp.Gelu => GeluOp.Invoke,
        UnaryOp.Swish => SwishOp.Invoke,
        UnaryOp.Softplus => SoftplusOp.Invoke,
        UnaryOp.HardSigmoid => HardSigmoidOp.Invoke,
        UnaryOp.LeakyRelu => LeakyReluOp.Invoke,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    [Theory]
    [MemberData(nameof(OwnOps))]
    public void Vector256_body_is_within_its_bound_over_the_whole_range(UnaryOp op)
    {
        var row = RowOf(op);
        var body = Vector256Body(op);
        var x = Grid();
        var y = new float[x.Length];
        int i = 0;
        for (; i + 8 <= x.Length; i += 8)
            body(Vector256.Create(x, i), Vector256.Create(row.Alpha)).CopyTo(y, i);
        for (; i < x.Length; i++) y[i] = x[i];
        int n = x.Length / 8 * 8;
        AssertWithin(op, "Vector256 body", 8, x[..n], k => row.F(x[k], row.Alpha), y[..n], k => row.ForwardAt(x[k]), _ => 0);
    }

    public static TheoryData<float> SoftplusTail => new(-15f, -17f, -30f, -80f, 1e-4f, -1e-4f, 15f, 17f);

    [Theory]
    [MemberData(nameof(SoftplusTail))]
    public void Softplus_keeps_relative_accuracy_in_the_tails(float x)
    {
        double expected = Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs((double)x)));
        var vector = Enumerable.Repeat(x, 16).ToArray();
        foreach (int n in new[] { 1, 16 })
        {
            var xb = With(vector[..n], 0);
            var yb = Empty(n, 0);
            Backend.Unary(UnaryOp.Softplus, 0f, xb, 0, yb, 0, n);
            foreach (var got in Read(yb, 0, n))
                Assert.True(Error(expected, got, 0) <= 3, $"Softplus({x}) over {n}: got {got:G9}, expected {expected:G17}");
            xb.Release();
            yb.Release();
        }
    }

    public static TheoryData<UnaryOp> Rewritten => new(UnaryOp.Tanh, UnaryOp.Elu, UnaryOp.Gelu, UnaryOp.Swish, UnaryOp.Softplus, UnaryOp.HardSigmoid);

    [Theory]
    [MemberData(nameof(Rewritten))]
    public void Rewritten_maps_propagate_nan_and_take_their_limits_at_infinity(UnaryOp op)
    {
        var row = RowOf(op);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f];
        foreach (float v in specials)
        {
            double expected = row.F(v, row.Alpha);
            foreach (int n in new[] { 1, 16 })
            {
                var xb = With(Enumerable.Repeat(v, n).ToArray(), 0);
                var yb = Empty(n, 0);
                Backend.Unary(op, row.Alpha, xb, 0, yb, 0, n);
                foreach (float got in Read(yb, 0, n))
                    Assert.True(double.IsNaN(expected) ? float.IsNaN(got) : double.IsInfinity(expected) || expected == 0 ? got == expected : Error(expected, got, 0) <= row.ForwardAt(v),
                        $"{op}({v}) over {n}: got {got}, expected {expected}");
                xb.Release();
                yb.Release();
            }
        }
    }
}
