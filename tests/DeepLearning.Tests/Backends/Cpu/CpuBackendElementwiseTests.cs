using DeepLearning.Backends;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// Every unary map, its fused backward and every binary map against scalar double-precision references written here,
/// at every length 0..256 (all SIMD widths and tails) and at unaligned offsets 0..3 of input and output.
/// </summary>
public class CpuBackendElementwiseTests
{
    private const int MaxLength = 256;
    private const double Rel = 1e-5, Abs = 1e-6;
    private static readonly double GeluC = Math.Sqrt(2 / Math.PI);

    /// <summary>The α each op is tested with, the domain of its input, f(x, α) and f′(x, α) in double.</summary>
    private static (float Alpha, double Lo, double Hi, Func<double, double, double> F, Func<double, double, double> D) Spec(UnaryOp op) => op switch
    {
        UnaryOp.Identity => (0.3f, -3, 3, (x, a) => x, (x, a) => 1),
        UnaryOp.Neg => (0.3f, -3, 3, (x, a) => -x, (x, a) => -1),
        UnaryOp.Exp => (0.3f, -3, 3, (x, a) => Math.Exp(x), (x, a) => Math.Exp(x)),
        UnaryOp.Log => (0.3f, 0.05, 5, (x, a) => Math.Log(x), (x, a) => 1 / x),
        UnaryOp.Sqrt => (0.3f, 0.05, 5, (x, a) => Math.Sqrt(x), (x, a) => 0.5 / Math.Sqrt(x)),
        UnaryOp.Abs => (0.3f, -3, 3, (x, a) => Math.Abs(x), (x, a) => Math.Sign(x)),
        UnaryOp.Sign => (0.3f, -3, 3, (x, a) => Math.Sign(x), (x, a) => 0),
        UnaryOp.Square => (0.3f, -3, 3, (x, a) => x * x, (x, a) => 2 * x),
        UnaryOp.Sigmoid => (0.3f, -6, 6, (x, a) => 1 / (1 + Math.Exp(-x)), (x, a) => Math.Exp(-x) / ((1 + Math.Exp(-x)) * (1 + Math.Exp(-x)))),
        UnaryOp.Tanh => (0.3f, -3, 3, (x, a) => Math.Tanh(x), (x, a) => 1 - Math.Tanh(x) * Math.Tanh(x)),
        UnaryOp.Relu => (0.3f, -3, 3, (x, a) => Math.Max(x, 0), (x, a) => x > 0 ? 1 : 0),
        UnaryOp.LeakyRelu => (0.1f, -3, 3, (x, a) => x > 0 ? x : a * x, (x, a) => x > 0 ? 1 : a),
        UnaryOp.AddScalar => (1.5f, -3, 3, (x, a) => x + a, (x, a) => 1),
        UnaryOp.MulScalar => (-2.5f, -3, 3, (x, a) => a * x, (x, a) => a),
        UnaryOp.PowScalar => (2.5f, 0.05, 3, Math.Pow, (x, a) => a * Math.Pow(x, a - 1)),
        UnaryOp.RDivScalar => (3f, 0.2, 3, (x, a) => a / x, (x, a) => -a / (x * x)),
        UnaryOp.RPowScalar => (1.7f, -3, 3, (x, a) => Math.Pow(a, x), (x, a) => Math.Pow(a, x) * Math.Log(a)),
        UnaryOp.Elu => (0.7f, -4, 3, (x, a) => x > 0 ? x : a * (Math.Exp(x) - 1), (x, a) => x > 0 ? 1 : a * Math.Exp(x)),
        UnaryOp.Gelu => (0f, -5, 5, (x, a) => 0.5 * x * (1 + Math.Tanh(GeluC * (x + 0.044715 * x * x * x))),
            (x, a) =>
            {
                double t = Math.Tanh(GeluC * (x + 0.044715 * x * x * x));
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GeluC * (1 + 3 * 0.044715 * x * x);
            }),
        UnaryOp.Swish => (0f, -6, 6, (x, a) => x / (1 + Math.Exp(-x)), (x, a) => 1 / (1 + Math.Exp(-x)) + x * Math.Exp(-x) / ((1 + Math.Exp(-x)) * (1 + Math.Exp(-x)))),
        UnaryOp.Softplus => (0f, -8, 8, (x, a) => Math.Log(1 + Math.Exp(x)), (x, a) => 1 / (1 + Math.Exp(-x))),
        UnaryOp.HardSigmoid => (0f, -5, 5, (x, a) => Math.Clamp(x / 6 + 0.5, 0, 1), (x, a) => x > -3 && x < 3 ? 1.0 / 6 : 0),
        UnaryOp.Sin => (0f, -7, 7, (x, a) => Math.Sin(x), (x, a) => Math.Cos(x)),
        UnaryOp.Cos => (0f, -7, 7, (x, a) => Math.Cos(x), (x, a) => -Math.Sin(x)),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no reference for this op: add a row"),
    };

    public static TheoryData<UnaryOp> UnaryOps => new(Enum.GetValues<UnaryOp>());

    public static TheoryData<BinaryOp> BinaryOps => new(Enum.GetValues<BinaryOp>());

    private static float[] Inputs(UnaryOp op, int n, int seed)
    {
        var (_, lo, hi, _, _) = Spec(op);
        var v = TestData.Uniform(n, seed, lo, hi);
        // RDiv on a signed domain: mirror half the inputs to negative values away from 0.
        if (op == UnaryOp.RDivScalar) for (int i = 0; i < n; i += 2) v[i] = -v[i];
        return v;
    }

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary_matches_reference(UnaryOp op)
    {
        var (alpha, _, _, f, _) = Spec(op);
        for (int n = 0; n <= MaxLength; n++)
            for (int off = 0; off < 4; off++)
            {
                var x = Inputs(op, n, n * 4 + off);
                int yo = (off + 1) % 4;
                var xb = With(x, off);
                var yb = Empty(n, yo);
                Backend.Unary(op, alpha, xb, off, yb, yo, n);
                var y = Read(yb, yo, n);
                for (int i = 0; i < n; i++) AssertNear(f(x[i], alpha), y[i], Rel, Abs, $"{op} n={n} off={off} [{i}] x={x[i]}");
                AssertGuards(yb, yo, n, $"{op} n={n}");
                xb.Release();
                yb.Release();
            }
    }

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary_backward_matches_reference(UnaryOp op)
    {
        var (alpha, _, _, f, d) = Spec(op);
        for (int n = 0; n <= MaxLength; n++)
            for (int off = 0; off < 4; off++)
            {
                var x = Inputs(op, n, n * 4 + off);
                var y = x.Select(v => (float)f(v, alpha)).ToArray();
                var dy = TestData.Uniform(n, 999 + n, -2, 2);
                int o2 = (off + 1) % 4, o3 = (off + 2) % 4, o4 = (off + 3) % 4;
                var xb = With(x, off);
                var yb = With(y, o2);
                var gb = With(dy, o3);
                var db = Empty(n, o4);
                Backend.UnaryBackward(op, alpha, xb, off, yb, o2, gb, o3, db, o4, n);
                var dx = Read(db, o4, n);
                for (int i = 0; i < n; i++) AssertNear(dy[i] * d(x[i], alpha), dx[i], 1e-5, 1e-6, $"{op}′ n={n} off={off} [{i}] x={x[i]}");
                AssertGuards(db, o4, n, $"{op}′ n={n}");
                foreach (var b in new[] { xb, yb, gb, db }) b.Release();
            }
    }

    private static double BinaryReference(BinaryOp op, double a, double b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Pow => Math.Pow(a, b),
        BinaryOp.Maximum => Math.Max(a, b),
        BinaryOp.Minimum => Math.Min(a, b),
        BinaryOp.GreaterEqual => a >= b ? 1 : 0,
        BinaryOp.Greater => a > b ? 1 : 0,
        BinaryOp.Equal => a == b ? 1 : 0,
        BinaryOp.KeepWhere => b != 0 ? a : 0,
        BinaryOp.KeepWhereNot => b == 0 ? a : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "no reference for this op: add a row"),
    };

    /// <summary>Operands: Pow bases positive; otherwise values on a 0.5 grid so comparisons see ties, divisors non-zero.</summary>
    private static (float[] A, float[] B) Operands(BinaryOp op, int na, int nb, int seed)
    {
        float[] Grid(int n, int s) => TestData.Uniform(n, s, -4, 4).Select(v => MathF.Round(v * 2) / 2).ToArray();
        var a = op == BinaryOp.Pow ? TestData.Uniform(na, seed, 0.1, 3) : Grid(na, seed);
        var b = op == BinaryOp.Pow ? TestData.Uniform(nb, seed + 1, -2, 2) : Grid(nb, seed + 1);
        if (op == BinaryOp.Div) for (int i = 0; i < b.Length; i++) if (b[i] == 0) b[i] = 0.25f;
        return (a, b);
    }

    public static TheoryData<BinaryOp, string> BinaryLayouts
    {
        get
        {
            var data = new TheoryData<BinaryOp, string>();
            foreach (var op in Enum.GetValues<BinaryOp>())
                foreach (var layout in new[] { "vector-vector", "vector-scalar", "scalar-vector" })
                    data.Add(op, layout);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BinaryLayouts))]
    public void Binary_matches_reference(BinaryOp op, string layout)
    {
        bool aScalar = layout == "scalar-vector", bScalar = layout == "vector-scalar";
        for (int n = 0; n <= MaxLength; n++)
            for (int off = 0; off < 4; off++)
            {
                var (a, b) = Operands(op, aScalar ? 1 : n, bScalar ? 1 : n, n * 4 + off);
                int bo = (off + 1) % 4, yo = (off + 2) % 4;
                var ab = With(a, off);
                var bb = With(b, bo);
                var yb = Empty(n, yo);
                Backend.Binary(op, ab, off, [aScalar ? 0 : 1], bb, bo, [bScalar ? 0 : 1], yb, yo, [n]);
                var y = Read(yb, yo, n);
                for (int i = 0; i < n; i++)
                {
                    double av = a[aScalar ? 0 : i], bv = b[bScalar ? 0 : i];
                    AssertNear(BinaryReference(op, av, bv), y[i], Rel, Abs, $"{op} {layout} n={n} off={off} [{i}] a={av} b={bv}");
                }
                AssertGuards(yb, yo, n, $"{op} {layout} n={n}");
                foreach (var buf in new[] { ab, bb, yb }) buf.Release();
            }
    }

    public static TheoryData<int[], int[]> BroadcastShapes => new()
    {
        { [3, 4], [4] },
        { [3, 4], [3, 1] },
        { [3, 1], [1, 17] },
        { [], [5, 9] },
        { [2, 3, 20], [3, 1] },
        { [2, 1, 33], [3, 1] },
        { [1, 3, 1, 2], [2, 1, 5, 1] },
        { [4, 0], [1] },
    };

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Binary_broadcasts_with_strides(int[] aDims, int[] bDims)
    {
        var sa = new Shape(aDims);
        var sb = new Shape(bDims);
        var shape = Shape.Broadcast(sa, sb, "test");
        int rank = shape.Rank;
        var aStrides = new int[rank];
        var bStrides = new int[rank];
        Kernels.BroadcastStrides(sa, shape, aStrides);
        Kernels.BroadcastStrides(sb, shape, bStrides);
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            var (a, b) = Operands(op, sa.Length, sb.Length, 5);
            var ab = With(a, 1);
            var bb = With(b, 3);
            var yb = Empty(shape.Length, 2);
            Backend.Binary(op, ab, 1, aStrides, bb, 3, bStrides, yb, 2, shape.Dims);
            var y = Read(yb, 2, shape.Length);
            var idx = new int[rank];
            for (int i = 0; i < shape.Length; i++)
            {
                // Unravel i, then index each operand with its own dims (1 where broadcast).
                int rem = i, ia = 0, ib = 0;
                for (int d = rank - 1; d >= 0; d--)
                {
                    idx[d] = rem % shape.Dims[d];
                    rem /= shape.Dims[d];
                }
                for (int d = 0; d < rank; d++)
                {
                    int da = d < rank - sa.Rank ? 1 : sa.Dims[d - (rank - sa.Rank)];
                    int db = d < rank - sb.Rank ? 1 : sb.Dims[d - (rank - sb.Rank)];
                    ia = ia * da + (da == 1 ? 0 : idx[d]);
                    ib = ib * db + (db == 1 ? 0 : idx[d]);
                }
                AssertNear(BinaryReference(op, a[ia], b[ib]), y[i], Rel, Abs, $"{op} {sa}&{sb} [{i}]");
            }
            AssertGuards(yb, 2, shape.Length, $"{op} {sa}&{sb}");
            foreach (var buf in new[] { ab, bb, yb }) buf.Release();
        }
    }

    [Fact]
    public void Binary_and_unary_propagate_NaN()
    {
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            // Comparisons give 0 or 1 for NaN; KeepWhereNot of a NaN condition (nonzero) gives 0.
            if (op is BinaryOp.GreaterEqual or BinaryOp.Greater or BinaryOp.Equal or BinaryOp.KeepWhereNot) continue;
            for (int n = 1; n <= 40; n += 13)
            {
                var a = Enumerable.Repeat(1.5f, n).ToArray();
                a[n - 1] = float.NaN;
                var ab = With(a, 0);
                var yb = Empty(n, 0);
                Backend.Binary(op, ab, 0, [1], ab, 0, [1], yb, 0, [n]);
                Assert.True(float.IsNaN(Read(yb, n - 1, 1)[0]), $"{op}(NaN, NaN) n={n}");
                ab.Release();
                yb.Release();
            }
        }
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var xb = With([float.NaN, 1, float.NaN], 0);
            var yb = Empty(3, 0);
            Backend.Unary(op, Spec(op).Alpha, xb, 0, yb, 0, 3);
            var y = Read(yb, 0, 3);
            Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[2]), $"{op}(NaN) = {y[0]}");
            xb.Release();
            yb.Release();
        }
    }
}
