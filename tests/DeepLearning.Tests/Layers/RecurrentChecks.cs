using static DeepLearning.Tests.Layers.RecurrentReference;

namespace DeepLearning.Tests.Layers;

/// <summary>
/// The checks every recurrent layer's tests make, on the same sizes and seeds for each: a kind's layer or cell is run
/// through a <see cref="Run"/> that takes and returns its state as parts (h, or the LSTM's h and c).
/// </summary>
internal static class RecurrentChecks
{
    public const int B = 3, I = 4, H = 5, T = 6;

    /// <summary>Runs a layer (or steps a cell) over <c>x</c> from a state given as its parts.</summary>
    public delegate (Tensor Output, Tensor[] State) Run(Tensor x, Tensor[] state);

    /// <summary>The <see cref="Run"/> of an Rnn, Gru or their cell, whose state is h alone.</summary>
    public static Run OneState(Func<Tensor, Tensor?, (Tensor Output, Tensor State)> forward) => (x, s) =>
    {
        var (y, h) = forward(x, s[0]);
        return (y, [h]);
    };

    /// <summary>The <see cref="Run"/> of an Lstm or LstmCell, whose state is (h, c).</summary>
    public static Run HAndC(Func<Tensor, LstmState?, (Tensor Output, LstmState State)> forward) => (x, s) =>
    {
        var (y, state) = forward(x, new LstmState(s[0], s[1]));
        return (y, [state.H, state.C]);
    };

    public static float[] Rand(int n, ulong seed) => Tensor.Uniform(new Shape(n), -1f, 1f, seed).ToArray();

    /// <summary>
    /// A sequence layer (<c>[B, T, I]</c> → <c>[B, T, H]</c>, or <c>[B, H]</c> without <paramref name="returnSequence"/>)
    /// equals its cell stepped by hand with the layer's weights, output by output and in the final state.
    /// </summary>
    public static void SequenceEqualsCellSteppedByHand(Layer layer, Run sequence, Layer cell, Run step, int parts, bool returnSequence)
    {
        var weights = layer.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (name, p) in cell.NamedParameters()) p.Assign(weights[name + "_l0"]);
        var x = Rand(B * T * I, 7);
        var s0 = Enumerable.Range(0, parts).Select(i => Tensor.FromSpan(Rand(B * H, 8 + (ulong)i), new Shape(B, H))).ToArray();
        var (y, final) = sequence(Tensor.FromSpan(x, new Shape(B, T, I)), s0);

        var s = s0;
        var steps = new float[T][];
        for (int t = 0; t < T; t++)
        {
            (var h, s) = step(Tensor.FromSpan(Step(x, B, T, I, t), new Shape(B, I)), s);
            steps[t] = h.ToArray();
        }
        for (int i = 0; i < parts; i++) AssertClose(s[i].ToArray(), final[i].ToArray(), 1e-6, $"final {"hc"[i]}");
        if (!returnSequence)
        {
            Assert.Equal(new Shape(B, H), y.Shape);
            AssertClose(steps[T - 1], y.ToArray(), 1e-6, "last output");
            return;
        }
        Assert.Equal(new Shape(B, T, H), y.Shape);
        var ys = y.ToArray();
        for (int t = 0; t < T; t++)
            AssertClose(steps[t], Step(ys, B, T, H, t), 1e-6, $"output step {t}");
    }

    /// <summary>
    /// Finite differences agree with the gradients of the output and of the last part of the final state (h, or the
    /// LSTM's c) with respect to the input <c>[2, 3, 2]</c> (drawn from <paramref name="seed"/>), every part of the initial
    /// state <c>[2, 3]</c> (from the seeds after it) and the weights of <paramref name="layer"/> (2 inputs, hidden 3).
    /// </summary>
    public static void GradientsMatchFiniteDifferences(Layer layer, Run sequence, int parts, ulong seed, double epsilon = 1e-2)
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.Uniform(new Shape(2, 3, 2), -1f, 1f, seed);
        var s0 = Enumerable.Range(0, parts).Select(i => Tensor.Uniform(new Shape(2, 3), -1f, 1f, seed + 1 + (ulong)i)).ToArray();
        Tensor F()
        {
            var (y, s) = sequence(x, s0);
            return LayerTesting.WeightedSum(y) + LayerTesting.WeightedSum(s[^1], 3);
        }
        var result = GradientCheck.Run(F, [x, .. s0, .. layer.Parameters()], epsilon, tolerance: 2e-2);
        Assert.True(result.Passed, result.ToString());
    }
}
