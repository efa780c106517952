using static DeepLearning.Tests.Layers.RecurrentReference;

namespace DeepLearning.Tests.Layers;

/// <summary>
/// Stacked recurrent layers (numLayers, PyTorch's num_layers) for every sequence layer: a stack equals its layers chained
/// by hand with the same weights, carries PyTorch's per-layer names, passes a gradient check and names its bad input.
/// </summary>
public class RecurrentTests
{
    private const int B = 2, I = 3, H = 4, T = 5;

    /// <summary>A sequence layer kind: how to make one and run it from a state given as its parts (H, or H and C).</summary>
    public sealed record Kind(string Name, int Gates, Func<int, int, bool, int, ulong, Layer> Make, Func<Layer, Tensor, Tensor[]?, (Tensor Output, Tensor[] State)> Run)
    {
        public override string ToString() => Name;
    }

    private static readonly Kind[] Kinds =
    [
        new("Rnn", 1, (i, h, seq, layers, seed) => new Rnn(i, h, seq, seed, numLayers: layers), (l, x, s) =>
        {
            var (y, st) = ((Rnn)l).Forward(x, s?[0]);
            return (y, [st]);
        }),
        new("Gru", 3, (i, h, seq, layers, seed) => new Gru(i, h, seq, seed, layers), (l, x, s) =>
        {
            var (y, st) = ((Gru)l).Forward(x, s?[0]);
            return (y, [st]);
        }),
        new("Lstm", 4, (i, h, seq, layers, seed) => new Lstm(i, h, seq, seed, layers), (l, x, s) =>
        {
            var (y, st) = ((Lstm)l).Forward(x, s is null ? null : new LstmState(s[0], s[1]));
            return (y, [st.H, st.C]);
        }),
    ];

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var k in Kinds)
        {
            data.Add(k.Name, true);
            data.Add(k.Name, false);
        }
        return data;
    }

    public static TheoryData<string> Names() => new(Kinds.Select(k => k.Name));

    private static Kind Of(string name) => Kinds.Single(k => k.Name == name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_stack_equals_its_layers_chained_by_hand(string name, bool returnSequence)
    {
        using var scope = TensorScope.Begin();
        var kind = Of(name);
        var stack = kind.Make(I, H, returnSequence, 3, 1);
        var first = kind.Make(I, H, true, 1, 2);
        var second = kind.Make(H, H, true, 1, 3);
        var third = kind.Make(H, H, returnSequence, 1, 4);
        var weights = stack.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (layer, l) in new[] { (first, 0), (second, 1), (third, 2) })
            foreach (var (key, p) in layer.NamedParameters()) p.Assign(weights[key.Replace("_l0", $"_l{l}", StringComparison.Ordinal)]);
        int parts = kind.Gates == 4 ? 2 : 1;
        var x = Tensor.Uniform(new Shape(B, T, I), -1f, 1f, 5);
        var state = Enumerable.Range(0, parts).Select(i => Tensor.Uniform(new Shape(3, B, H), -1f, 1f, 6 + (ulong)i)).ToArray();
        Tensor[] Part(int l) => [.. state.Select(s => s.Slice(l, 1).Reshape(B, H))];

        var (y, final) = kind.Run(stack, x, state);
        var (y0, s0) = kind.Run(first, x, Part(0));
        var (y1, s1) = kind.Run(second, y0, Part(1));
        var (y2, s2) = kind.Run(third, y1, Part(2));
        Assert.Equal(y2.Shape, y.Shape);
        AssertClose(y2.ToArray(), y.ToArray(), 1e-6, $"{name} output");
        for (int i = 0; i < parts; i++)
        {
            Assert.Equal(new Shape(3, B, H), final[i].Shape);
            AssertClose([.. s0[i].ToArray(), .. s1[i].ToArray(), .. s2[i].ToArray()], final[i].ToArray(), 1e-6, $"{name} final state {i}");
        }
        // From zeros when no state is given: the same as explicit zeros.
        var zeros = Enumerable.Range(0, parts).Select(_ => Tensor.Zeros(3, B, H)).ToArray();
        AssertClose(kind.Run(stack, x, zeros).Output.ToArray(), stack.Forward(x).ToArray(), 0, $"{name} from zeros");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Parameters_carry_PyTorch_names_per_layer(string name)
    {
        var kind = Of(name);
        var layer = kind.Make(I, H, true, 2, 1);
        int g = kind.Gates * H;
        Assert.Equal([$"weight_ih_l0 [{g},{I}]", $"weight_hh_l0 [{g},{H}]", $"bias_ih_l0 [{g}]", $"bias_hh_l0 [{g}]",
            $"weight_ih_l1 [{g},{H}]", $"weight_hh_l1 [{g},{H}]", $"bias_ih_l1 [{g}]", $"bias_hh_l1 [{g}]"],
            layer.NamedParameters().Select(p => $"{p.Key} {p.Value.Shape}"));
        Assert.Equal($"{name}(3 => 4, layers: 2, last)", kind.Make(I, H, false, 2, 1).ToString());
        // One layer draws the weights it drew before stacking existed: layer 0 of a stack is that layer.
        Assert.Equal(kind.Make(I, H, true, 1, 7).Parameters()[0].ToArray(), kind.Make(I, H, true, 3, 7).Parameters()[0].ToArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradients_of_a_stack_match_finite_differences(string name)
    {
        using var scope = TensorScope.Begin();
        var kind = Of(name);
        var layer = kind.Make(2, 3, true, 2, 11);
        var x = Tensor.Uniform(new Shape(2, 3, 2), -1f, 1f, 12);
        var state = Enumerable.Range(0, kind.Gates == 4 ? 2 : 1).Select(i => Tensor.Uniform(new Shape(2, 2, 3), -1f, 1f, 13 + (ulong)i)).ToArray();
        Tensor F()
        {
            var (y, s) = kind.Run(layer, x, state);
            var loss = LayerTesting.WeightedSum(y);
            for (int i = 0; i < s.Length; i++) loss += LayerTesting.WeightedSum(s[i], 3 + (ulong)i);
            return loss;
        }
        var result = GradientCheck.Run(F, [x, .. state, .. layer.Parameters()], epsilon: 1e-2, tolerance: 2e-2);
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Bad_input_names_the_layer_and_the_shapes(string name)
    {
        using var scope = TensorScope.Begin();
        var kind = Of(name);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => kind.Make(I, H, true, 0, 1));
        Assert.Contains($"{name}: the number of layers must be positive", zero.Message, StringComparison.Ordinal);
        var layer = kind.Make(I, H, true, 2, 1);
        var flat = Enumerable.Range(0, kind.Gates == 4 ? 2 : 1).Select(_ => Tensor.Zeros(B, H)).ToArray();
        var e = Assert.Throws<ArgumentException>(() => kind.Run(layer, Tensor.Zeros(B, T, I), flat));
        Assert.Contains($"{name}(3 => 4, layers: 2): the state", e.Message, StringComparison.Ordinal);
        Assert.Contains($"has shape [2,4], expected [2,2,4] (layers, batch, hidden) for input [2,5,3]", e.Message, StringComparison.Ordinal);
    }
}
