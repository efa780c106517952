namespace DeepLearning.Tests.Ops;

/// <summary>How a gradient-check input is drawn (each keeps the op away from points where it has no derivative).</summary>
public enum Draw
{
    /// <summary>|x| in [0.3, 1.5]: Relu, Abs, LeakyRelu and divisors stay away from 0.</summary>
    Any,
    /// <summary>[0.5, 2]: Log, Sqrt, Pow bases.</summary>
    Positive,
    /// <summary>Distinct grid values k/4: no ties for max/min (first input of Maximum/Minimum, reductions).</summary>
    Grid,
    /// <summary>The grid shifted by 1/8: never ties with <see cref="Grid"/> (second input of Maximum/Minimum).</summary>
    GridShifted,
}

/// <summary>One row of the op table: a function of its inputs and how each input is shaped and drawn.</summary>
public sealed record OpCase(string Name, Func<Tensor[], Tensor> Op, params (int[] Shape, Draw Draw)[] Inputs)
{
    public override string ToString() => Name;
}

/// <summary>The table of every differentiable op at several shapes, checked by <see cref="OpGradientTests"/>.</summary>
public static class OpCases
{
    private static (int[], Draw) In(Draw d, params int[] shape) => (shape, d);

    // Every broadcasting pattern of a binary op: same shape, row vector, column vector, outer (both sides broadcast),
    // scalar on either side, rank 3 against rank 1 and 2, and the larger operand on the right.
    private static readonly (string Name, int[] A, int[] B)[] BroadcastPatterns =
    [
        ("[3,4]&[3,4]", [3, 4], [3, 4]),
        ("[3,4]&[4]", [3, 4], [4]),
        ("[3,4]&[3,1]", [3, 4], [3, 1]),
        ("[3,1]&[1,4]", [3, 1], [1, 4]),
        ("[]&[3,4]", [], [3, 4]),
        ("[3,4]&[]", [3, 4], []),
        ("[4]&[3,4]", [4], [3, 4]),
        ("[2,3,4]&[4]", [2, 3, 4], [4]),
        ("[2,3,4]&[3,4]", [2, 3, 4], [3, 4]),
        ("[2,3,4]&[3,1]", [2, 3, 4], [3, 1]),
        ("[2,1,4]&[3,1]", [2, 1, 4], [3, 1]),
        ("[1,3,1]&[2,1,4]", [1, 3, 1], [2, 1, 4]),
        ("[5]&[5]", [5], [5]),
    ];

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op, Draw A, Draw B)[] BinaryOps =
    [
        ("Add", (a, b) => a + b, Draw.Any, Draw.Any),
        ("Subtract", (a, b) => a - b, Draw.Any, Draw.Any),
        ("Multiply", (a, b) => a * b, Draw.Any, Draw.Any),
        ("Divide", (a, b) => a / b, Draw.Any, Draw.Any),
        ("Pow", Tensor.Pow, Draw.Positive, Draw.Any),
        ("Maximum", Tensor.Maximum, Draw.Grid, Draw.GridShifted),
        ("Minimum", Tensor.Minimum, Draw.Grid, Draw.GridShifted),
    ];

    private static readonly (string Name, Func<Tensor, Tensor> Op, Draw Draw)[] UnaryOps =
    [
        ("Neg", x => -x, Draw.Any),
        ("Exp", x => x.Exp(), Draw.Any),
        ("Log", x => x.Log(), Draw.Positive),
        ("Sqrt", x => x.Sqrt(), Draw.Positive),
        ("Pow(2.5)", x => x.Pow(2.5f), Draw.Positive),
        ("Pow(3)", x => x.Pow(3f), Draw.Any),
        ("Pow(-1)", x => x.Pow(-1f), Draw.Positive),
        ("Abs", x => x.Abs(), Draw.Any),
        ("Square", x => x.Square(), Draw.Any),
        ("Sigmoid", x => x.Sigmoid(), Draw.Any),
        ("Tanh", x => x.Tanh(), Draw.Any),
        ("Relu", x => x.Relu(), Draw.Any),
        ("LeakyRelu(0.1)", x => x.LeakyRelu(0.1f), Draw.Any),
        ("LeakyRelu", x => x.LeakyRelu(), Draw.Any),
        ("Softmax", x => x.Softmax(), Draw.Any),
        ("LogSoftmax", x => x.LogSoftmax(), Draw.Any),
        ("x+2", x => x + 2f, Draw.Any),
        ("2+x", x => 2f + x, Draw.Any),
        ("x-2", x => x - 2f, Draw.Any),
        ("2-x", x => 2f - x, Draw.Any),
        ("x*3", x => x * 3f, Draw.Any),
        ("3*x", x => 3f * x, Draw.Any),
        ("x/2", x => x / 2f, Draw.Any),
        ("2/x", x => 2f / x, Draw.Any),
        ("Maximum(x,0.05)", x => Tensor.Maximum(x, 0.05f), Draw.Any),
        ("Minimum(x,0.05)", x => Tensor.Minimum(x, 0.05f), Draw.Any),
        ("Sin", x => x.Sin(), Draw.Any),
        ("Cos", x => x.Cos(), Draw.Any),
        // Bounds on the quarter grid, inputs on the shifted grid: every input is 1/8 from a bound, below, inside or above.
        ("Clamp(-0.5,0.75)", x => x.Clamp(-0.5f, 0.75f), Draw.GridShifted),
    ];

    // Where's condition is data, not an input: a fixed mask of 0 and nonzero values (1, 2, −1) of the given shape.
    private static Tensor Mask(params int[] shape)
    {
        var s = new Shape(shape);
        var m = new float[s.Length];
        for (int i = 0; i < m.Length; i++) m[i] = (i % 3) switch { 0 => 0f, 1 => 1f, _ => i % 2 == 0 ? 2f : -1f };
        return Tensor.FromSpan(m, s);
    }

    // Token ids [2, 3] with repeats (0 and 4 twice), for the embedding row.
    private static Tensor Ids => Tensor.FromSpan([0f, 4f, 2f, 4f, 0f, 1f], new Shape(2, 3));

    // Recurrent weights scaled down, so the gates stay away from saturation where finite differences lose precision.
    private static Tensor Small(Tensor w) => w * 0.4f;

    private static readonly (string Name, int[] Condition, int[] A, int[] B)[] WherePatterns =
    [
        ("[3,4]?[3,4]:[3,4]", [3, 4], [3, 4], [3, 4]),
        ("[3,1]?[4]:[3,4]", [3, 1], [4], [3, 4]),
        ("[4]?[3,4]:[]", [4], [3, 4], []),
        ("[2,1,4]?[3,1]:[2,3,4]", [2, 1, 4], [3, 1], [2, 3, 4]),
        ("[]?[3]:[3]", [], [3], [3]),
    ];

    private static readonly int[][] UnaryShapes = [[5], [3, 4], [2, 3, 4], [1, 17]];

    private static readonly (string Name, Func<Tensor, Tensor> Op)[] Reductions =
    [
        ("Sum()", x => x.Sum()),
        ("Sum(0)", x => x.Sum(0)),
        ("Sum(1)", x => x.Sum(1)),
        ("Sum(-1,keep)", x => x.Sum(-1, keepDims: true)),
        ("Sum([0,-1])", x => x.Sum([0, -1])),
        ("Sum([0,1],keep)", x => x.Sum([0, 1], keepDims: true)),
        ("Mean()", x => x.Mean()),
        ("Mean(0)", x => x.Mean(0)),
        ("Mean(1,keep)", x => x.Mean(1, keepDims: true)),
        ("Mean(-1)", x => x.Mean(-1)),
        ("Mean([0,-1])", x => x.Mean([0, -1])),
        ("Mean([1,0],keep)", x => x.Mean([1, 0], keepDims: true)),
        ("Max()", x => x.Max()),
        ("Max(0)", x => x.Max(0)),
        ("Max(1,keep)", x => x.Max(1, keepDims: true)),
        ("Max(-1)", x => x.Max(-1)),
        ("Min()", x => x.Min()),
        ("Min(0,keep)", x => x.Min(0, keepDims: true)),
        ("Min(1)", x => x.Min(1)),
        ("Min(-1)", x => x.Min(-1)),
    ];

    private static readonly int[][] ReductionShapes = [[3, 4], [2, 3, 4], [6, 1]];

    private static IEnumerable<OpCase> All()
    {
        foreach (var (op, f, da, db) in BinaryOps)
            foreach (var (pattern, a, b) in BroadcastPatterns)
                yield return new OpCase($"{op} {pattern}", x => f(x[0], x[1]), In(da, a), In(db, b));
        foreach (var (pattern, c, a, b) in WherePatterns)
            yield return new OpCase($"Where {pattern}", x => Tensor.Where(Mask(c).To(x[0].Device), x[0], x[1]), In(Draw.Any, a), In(Draw.Any, b));
        yield return new OpCase("Where [2,3]?[2,3]:0.5", x => Tensor.Where(Mask(2, 3).To(x[0].Device), x[0], 0.5f), In(Draw.Any, 2, 3));
        yield return new OpCase("Where [2,3]?0.5:[3]", x => Tensor.Where(Mask(2, 3).To(x[0].Device), 0.5f, x[0]), In(Draw.Any, 3));
        yield return new OpCase("Where x?x:x", x => Tensor.Where(Mask(2, 3).To(x[0].Device), x[0], x[0]), In(Draw.Any, 2, 3));
        // The same input on both sides: both rules add into one gradient.
        yield return new OpCase("Multiply x*x", x => x[0] * x[0], In(Draw.Any, 3, 4));
        // A binary op on a slice (a view at an offset into its buffer).
        yield return new OpCase("Add view+[3]", x => x[0].Slice(1, 2) + x[1], In(Draw.Any, 4, 3), In(Draw.Any, 3));

        foreach (var (op, f, d) in UnaryOps)
            foreach (var s in UnaryShapes)
                yield return new OpCase($"{op} {new Shape(s)}", x => f(x[0]), In(d, s));
        yield return new OpCase("Exp of view", x => x[0].Slice(1, 2).Exp(), In(Draw.Any, 4, 3));

        foreach (var (op, f) in Reductions)
            foreach (var s in ReductionShapes)
                yield return new OpCase($"{op} {new Shape(s)}", x => f(x[0]), In(Draw.Grid, s));
        yield return new OpCase("Sum() [7]", x => x[0].Sum(), In(Draw.Any, 7));
        yield return new OpCase("Max() []", x => x[0].Max(), In(Draw.Any));
        yield return new OpCase("Sum([0,2]) [2,3,4]", x => x[0].Sum([0, 2]), In(Draw.Any, 2, 3, 4));
        yield return new OpCase("Mean([0,1,2]) [2,3,4]", x => x[0].Mean([0, 1, 2]), In(Draw.Any, 2, 3, 4));
        yield return new OpCase("Max(1) [2,3,4]", x => x[0].Max(1), In(Draw.Grid, 2, 3, 4));

        yield return new OpCase("MatMul [3,4]·[4,5]", x => x[0].MatMul(x[1]), In(Draw.Any, 3, 4), In(Draw.Any, 4, 5));
        yield return new OpCase("MatMul [1,4]·[4,1]", x => x[0].MatMul(x[1]), In(Draw.Any, 1, 4), In(Draw.Any, 4, 1));
        yield return new OpCase("MatMul [2,3,4]·[2,4,5]", x => x[0].MatMul(x[1]), In(Draw.Any, 2, 3, 4), In(Draw.Any, 2, 4, 5));
        yield return new OpCase("MatMul [2,3,4]·[4,5]", x => x[0].MatMul(x[1]), In(Draw.Any, 2, 3, 4), In(Draw.Any, 4, 5));
        yield return new OpCase("MatMul [2,3,4]·[5,4]ᵀ", x => Tensor.MatMul(x[0], x[1], transposeB: true), In(Draw.Any, 2, 3, 4), In(Draw.Any, 5, 4));
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                int[] a = ta ? [4, 3] : [3, 4], b = tb ? [5, 4] : [4, 5];
                yield return new OpCase($"MatMul(ta={ta},tb={tb}) 2-D", x => Tensor.MatMul(x[0], x[1], ta, tb), In(Draw.Any, a), In(Draw.Any, b));
                int[] a3 = ta ? [2, 4, 3] : [2, 3, 4], b3 = tb ? [2, 5, 4] : [2, 4, 5];
                yield return new OpCase($"MatMul(ta={ta},tb={tb}) 3-D", x => Tensor.MatMul(x[0], x[1], ta, tb), In(Draw.Any, a3), In(Draw.Any, b3));
            }
        yield return new OpCase("MatMul x·x [3,3]", x => x[0].MatMul(x[0]), In(Draw.Any, 3, 3));

        yield return new OpCase("Transpose [3,4]", x => x[0].Transpose(), In(Draw.Any, 3, 4));
        yield return new OpCase("Transpose [2,3,4]", x => x[0].Transpose(), In(Draw.Any, 2, 3, 4));
        yield return new OpCase("Permute(2,0,1) [2,3,4]", x => x[0].Permute(2, 0, 1), In(Draw.Any, 2, 3, 4));
        yield return new OpCase("Permute(1,0,2) [2,3,4]", x => x[0].Permute(1, 0, 2), In(Draw.Any, 2, 3, 4));
        yield return new OpCase("Permute(3,1,0,2) [2,3,1,2]", x => x[0].Permute(3, 1, 0, 2), In(Draw.Any, 2, 3, 1, 2));
        yield return new OpCase("Reshape [3,4]→[2,6]", x => x[0].Reshape(2, 6), In(Draw.Any, 3, 4));
        yield return new OpCase("Reshape [3,4]→[-1]", x => x[0].Reshape(-1), In(Draw.Any, 3, 4));
        yield return new OpCase("Reshape [2,3,4]→[4,-1,3]", x => x[0].Reshape(4, -1, 3), In(Draw.Any, 2, 3, 4));
        yield return new OpCase("Slice(1,2) [4,3]", x => x[0].Slice(1, 2), In(Draw.Any, 4, 3));
        yield return new OpCase("Slice(0,0,3) [4,3]", x => x[0].Slice(0, 0, 3), In(Draw.Any, 4, 3));
        yield return new OpCase("Slice(1,1,2) [3,4]", x => x[0].Slice(1, 1, 2), In(Draw.Any, 3, 4));
        yield return new OpCase("Slice(2,1,3) [2,3,5]", x => x[0].Slice(2, 1, 3), In(Draw.Any, 2, 3, 5));
        yield return new OpCase("Slice(-2,2,1) [2,3,5]", x => x[0].Slice(-2, 2, 1), In(Draw.Any, 2, 3, 5));
        yield return new OpCase("Slice of slice [5,4]", x => x[0].Slice(1, 3).Slice(1, 1, 2), In(Draw.Any, 5, 4));
        yield return new OpCase("Concat axis 0 of 2", x => Tensor.Concat(0, x[0], x[1]), In(Draw.Any, 2, 3), In(Draw.Any, 3, 3));
        yield return new OpCase("Concat axis 0 of 3", x => Tensor.Concat(0, x[0], x[1], x[2]), In(Draw.Any, 1, 2, 2), In(Draw.Any, 2, 2, 2), In(Draw.Any, 1, 2, 2));
        yield return new OpCase("Concat axis 1 of 2", x => Tensor.Concat(1, x[0], x[1]), In(Draw.Any, 2, 3), In(Draw.Any, 2, 1));
        yield return new OpCase("Concat axis 1 of 3", x => Tensor.Concat(1, x[0], x[1], x[2]), In(Draw.Any, 2, 1), In(Draw.Any, 2, 3), In(Draw.Any, 2, 2));
        yield return new OpCase("Concat axis -1 of 3 rank 3", x => Tensor.Concat(-1, x[0], x[1], x[2]), In(Draw.Any, 2, 2, 1), In(Draw.Any, 2, 2, 3), In(Draw.Any, 2, 2, 2));
        yield return new OpCase("Concat x with x", x => Tensor.Concat(1, x[0], x[0]), In(Draw.Any, 2, 3));
        yield return new OpCase("Pow(2.5, x)", x => Tensor.Pow(2.5f, x[0]), In(Draw.Any, 3, 4));
        yield return new OpCase("Linear x·Wᵀ+b", x => Tensor.Linear(x[0], x[1], x[2]), In(Draw.Any, 4, 3), In(Draw.Any, 2, 3), In(Draw.Any, 2));
        yield return new OpCase("Linear x·Wᵀ", x => Tensor.Linear(x[0], x[1]), In(Draw.Any, 4, 3), In(Draw.Any, 5, 3));
        yield return new OpCase("Linear relu(x·Wᵀ+b) fused", x => Tensor.Linear(x[0], x[1], x[2], relu: true), In(Draw.Any, 4, 3), In(Draw.Any, 5, 3), In(Draw.Any, 5));
        yield return new OpCase("Linear x·xᵀ", x => Tensor.Linear(x[0], x[0]), In(Draw.Any, 3, 3));
        // Sequence ops. Embedding's ids are data (repeated, so the scatter-add accumulates); the recurrent ops take
        // time-major inputs and return every state, h₀ included, so each output element's gradient is checked.
        yield return new OpCase("Embedding [2,3] ids of [5,3]", x => Tensor.Embedding(Ids.To(x[0].Device), x[0]), In(Draw.Any, 5, 3));
        yield return new OpCase("LayerNorm [4,5]", x => Tensor.LayerNorm(x[0], x[1], x[2]), In(Draw.Any, 4, 5), In(Draw.Any, 5), In(Draw.Any, 5));
        yield return new OpCase("LayerNorm [2,3,4]", x => Tensor.LayerNorm(x[0], x[1], x[2]), In(Draw.Any, 2, 3, 4), In(Draw.Any, 4), In(Draw.Any, 4));
        foreach (int t in new[] { 1, 3 })
        {
            yield return new OpCase($"LstmSequence T={t}", x => Tensor.LstmSequence(x[0], x[1], x[2], Small(x[3]), Small(x[4]), x[5]),
                In(Draw.Any, t, 2, 3), In(Draw.Any, 2, 4), In(Draw.Any, 2, 4), In(Draw.Any, 16, 3), In(Draw.Any, 16, 4), In(Draw.Any, 16));
            yield return new OpCase($"GruSequence T={t}", x => Tensor.GruSequence(x[0], x[1], Small(x[2]), Small(x[3]), x[4], x[5]),
                In(Draw.Any, t, 2, 3), In(Draw.Any, 2, 4), In(Draw.Any, 12, 3), In(Draw.Any, 12, 4), In(Draw.Any, 12), In(Draw.Any, 12));
            yield return new OpCase($"RnnSequence T={t}", x => Tensor.RnnSequence(x[0], x[1], Small(x[2]), Small(x[3]), x[4]),
                In(Draw.Any, t, 2, 3), In(Draw.Any, 2, 4), In(Draw.Any, 4, 3), In(Draw.Any, 4, 4), In(Draw.Any, 4));
        }
        yield return new OpCase("BatchedMatMul [2,3,4]·[4,5]", x => Tensor.BatchedMatMul(x[0], x[1]), In(Draw.Any, 2, 3, 4), In(Draw.Any, 4, 5));
        yield return new OpCase("BatchedMatMul [3,4]·[2,4,5]", x => Tensor.BatchedMatMul(x[0], x[1]), In(Draw.Any, 3, 4), In(Draw.Any, 2, 4, 5));
        yield return new OpCase("BatchedMatMul [2,1,3,4]·[3,4,2]", x => Tensor.BatchedMatMul(x[0], x[1]), In(Draw.Any, 2, 1, 3, 4), In(Draw.Any, 3, 4, 2));
        yield return new OpCase("BatchedMatMul [2,2,3,4]·[2,2,5,4]ᵀ", x => Tensor.BatchedMatMul(x[0], x[1], transposeB: true), In(Draw.Any, 2, 2, 3, 4), In(Draw.Any, 2, 2, 5, 4));
        yield return new OpCase("BatchedMatMul 0.35·[2,2,3,4]·[2,2,5,4]ᵀ", x => Tensor.BatchedMatMul(x[0], x[1], false, true, 0.35f), In(Draw.Any, 2, 2, 3, 4), In(Draw.Any, 2, 2, 5, 4));
        yield return new OpCase("BatchedMatMul -1.5·[2,4,3]ᵀ·[4,5]", x => Tensor.BatchedMatMul(x[0], x[1], true, false, -1.5f), In(Draw.Any, 2, 4, 3), In(Draw.Any, 4, 5));
        yield return new OpCase("BatchedMatMul [2,4,3]ᵀ·[1,4,5]", x => Tensor.BatchedMatMul(x[0], x[1], transposeA: true), In(Draw.Any, 2, 4, 3), In(Draw.Any, 1, 4, 5));
        yield return new OpCase("MaskedSoftmax causal [2,3,3]", x => Tensor.MaskedSoftmax(x[0], Tensor.CausalMask(3).To(x[0].Device)), In(Draw.Any, 2, 3, 3));
        yield return new OpCase("MaskedSoftmax with a fully masked row", x => Tensor.MaskedSoftmax(x[0], Tensor.FromSpan([1f, 0f, 1f, 0f, 0f, 0f], new Shape(2, 3), x[0].Device)), In(Draw.Any, 2, 2, 3));
        yield return new OpCase("Flip(1) [2,3,4]", x => x[0].Flip(1), In(Draw.Any, 2, 3, 4));
        yield return new OpCase("Flip(-1) [2,3]", x => x[0].Flip(-1), In(Draw.Any, 2, 3));
        yield return new OpCase("Conv2D 3x3 pad 1 +b", x => Tensor.Conv2D(x[0], x[1], x[2], padding: 1), In(Draw.Any, 2, 3, 5, 4), In(Draw.Any, 4, 3, 3, 3), In(Draw.Any, 4));
        yield return new OpCase("Conv2D stride (2,1) dilation (1,2) groups 2 asymmetric pad", x => Tensor.Conv2D(x[0], x[1], x[2], stride: (2, 1),
            padding: Padding.Explicit(1, 0, 2, 1), dilation: (1, 2), groups: 2), In(Draw.Any, 1, 4, 7, 6), In(Draw.Any, 4, 2, 2, 3), In(Draw.Any, 4));
        yield return new OpCase("Conv2D depthwise same", x => Tensor.Conv2D(x[0], x[1], null, padding: Padding.Same, groups: 3), In(Draw.Any, 2, 3, 5, 5), In(Draw.Any, 3, 1, 3, 3));
        yield return new OpCase("Conv2D same stride 2", x => Tensor.Conv2D(x[0], x[1], x[2], stride: 2, padding: Padding.Same), In(Draw.Any, 1, 2, 6, 5), In(Draw.Any, 3, 2, 3, 2), In(Draw.Any, 3));
        yield return new OpCase("Conv2D pointwise", x => Tensor.Conv2D(x[0], x[1]), In(Draw.Any, 2, 4, 3, 3), In(Draw.Any, 5, 4, 1, 1));
        yield return new OpCase("Conv2D relu fused", x => Tensor.Conv2D(x[0], x[1], x[2], 1, 1, 1, 1, relu: true), In(Draw.Any, 2, 2, 4, 4), In(Draw.Any, 3, 2, 3, 3), In(Draw.Any, 3));
        yield return new OpCase("Conv2D x·x", x => Tensor.Conv2D(x[0], x[0]), In(Draw.Any, 2, 2, 2, 2));
        yield return new OpCase("Conv1D stride 2 pad 1", x => Tensor.Conv1D(x[0], x[1], x[2], stride: 2, padding: 1), In(Draw.Any, 2, 3, 9), In(Draw.Any, 4, 3, 3), In(Draw.Any, 4));
        yield return new OpCase("Conv1D same dilated groups 2", x => Tensor.Conv1D(x[0], x[1], null, padding: Padding.Same, dilation: 2, groups: 2), In(Draw.Any, 1, 2, 8), In(Draw.Any, 4, 1, 3));
        yield return new OpCase("ConvTranspose2D stride 2 pad 1 output pad 1 +b", x => Tensor.ConvTranspose2D(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1),
            In(Draw.Any, 2, 3, 3, 4), In(Draw.Any, 3, 2, 3, 3), In(Draw.Any, 2));
        yield return new OpCase("ConvTranspose2D groups 2 dilated", x => Tensor.ConvTranspose2D(x[0], x[1], null, dilation: 2, groups: 2),
            In(Draw.Any, 1, 4, 3, 3), In(Draw.Any, 4, 1, 2, 2));
        yield return new OpCase("MaxPool2D 2x2", x => x[0].MaxPool2D(2), In(Draw.Grid, 2, 2, 4, 5));
        yield return new OpCase("MaxPool2D 3x3 stride 2 pad 1", x => x[0].MaxPool2D(3, 2, 1), In(Draw.Grid, 1, 2, 5, 6));
        yield return new OpCase("MaxPool2D 2x2 stride 1 dilation 2", x => x[0].MaxPool2D(2, 1, default, 2), In(Draw.Grid, 1, 2, 5, 4));
        yield return new OpCase("AvgPool2D 2x2", x => x[0].AvgPool2D(2), In(Draw.Any, 2, 2, 4, 5));
        yield return new OpCase("AvgPool2D 3x3 stride 2 pad 1", x => x[0].AvgPool2D(3, 2, 1), In(Draw.Any, 1, 2, 5, 6));
        yield return new OpCase("MaxPool1D 3 stride 2", x => x[0].MaxPool1D(3, 2), In(Draw.Grid, 2, 3, 9));
        yield return new OpCase("AvgPool1D 2 pad 1", x => x[0].AvgPool1D(2, padding: 1), In(Draw.Any, 2, 3, 7));
        yield return new OpCase("GlobalAvgPool [2,3,4,5]", x => x[0].GlobalAvgPool(), In(Draw.Any, 2, 3, 4, 5));
        yield return new OpCase("GlobalMaxPool [2,3,4,5]", x => x[0].GlobalMaxPool(), In(Draw.Grid, 2, 3, 4, 5));
        yield return new OpCase("Upsample (2,3)", x => x[0].Upsample((2, 3)), In(Draw.Any, 2, 2, 3, 2));
        yield return new OpCase("ZeroPad2D (1,0,2,1)", x => x[0].ZeroPad2D(Padding.Explicit(1, 0, 2, 1)), In(Draw.Any, 2, 2, 3, 2));
        yield return new OpCase("ChannelDropout 0.5", x => x[0].ChannelDropout(0.5f, 7, 0), In(Draw.Any, 3, 4, 2, 2));
        yield return new OpCase("Flatten [2,3,4,5]", x => x[0].Flatten(), In(Draw.Any, 2, 3, 4, 5));
        // Compositions: an op's output feeding ops of other families.
        yield return new OpCase("Dense-like tanh(x·Wᵀ+b)", x => (Tensor.MatMul(x[0], x[1], transposeB: true) + x[2]).Tanh(),
            In(Draw.Any, 4, 3), In(Draw.Any, 2, 3), In(Draw.Any, 2));
        yield return new OpCase("Conv2D→relu→MaxPool2D→Flatten", x => Tensor.Conv2D(x[0], x[1], x[2]).Relu().MaxPool2D(2).Flatten(),
            In(Draw.Any, 2, 2, 6, 6), In(Draw.Any, 3, 2, 3, 3), In(Draw.Any, 3));
    }

    private static readonly Dictionary<string, OpCase> ByName = All().ToDictionary(c => c.Name);

    public static OpCase Get(string name) => ByName[name];

    public static TheoryData<string> Names => new(ByName.Keys);

    public static IEnumerable<string> AllNames => ByName.Keys;
}
