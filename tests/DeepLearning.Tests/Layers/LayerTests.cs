namespace DeepLearning.Tests.Layers;

// One row per layer configuration; every row is gradient-checked w.r.t. its input and every parameter (randomised
// first, so γ = 1, β = 0 and zero biases do not hide errors), and has its named parameters and buffers listed.
public class LayerTests
{
    internal static readonly (string Name, Func<Layer> Make, int[] Input, LayerMode Mode, string[] Parameters, string[] Buffers)[] Rows =
    [
        ("Dense", () => new Dense(3, 4, Activations.Tanh, seed: 1), [5, 3], LayerMode.Auto, ["weight", "bias"], []),
        ("Dense without bias", () => new Dense(3, 2, bias: false, seed: 2), [4, 3], LayerMode.Auto, ["weight"], []),
        ("Dense on a vector", () => new Dense(3, 2, Activations.Sigmoid, seed: 3), [3], LayerMode.Auto, ["weight", "bias"], []),
        ("Dense on rank 3", () => new Dense(3, 2, seed: 4), [2, 4, 3], LayerMode.Auto, ["weight", "bias"], []),
        ("Chain with a function", () => new Chain(new Dense(3, 4, Activations.Tanh, seed: 5), (Func<Tensor, Tensor>)Activations.Softmax, new Dense(4, 2, seed: 6)),
            [5, 3], LayerMode.Auto, ["0.weight", "0.bias", "2.weight", "2.bias"], []),
        ("Nested chain", () => new Chain(new Chain(new Dense(3, 3, Activations.Gelu, seed: 7)), new Dense(3, 2, seed: 8)),
            [4, 3], LayerMode.Auto, ["0.0.weight", "0.0.bias", "1.weight", "1.bias"], []),
        ("BatchNorm training [N,C]", () => new BatchNorm(3), [6, 3], LayerMode.Train, ["weight", "bias"], ["running_mean", "running_var"]),
        ("BatchNorm training [N,C,H,W]", () => new BatchNorm(2), [3, 2, 2, 3], LayerMode.Train, ["weight", "bias"], ["running_mean", "running_var"]),
        ("BatchNorm evaluation", () => new BatchNorm(3), [4, 3], LayerMode.Test, ["weight", "bias"], ["running_mean", "running_var"]),
        ("Dropout evaluation", () => new Dropout(0.5f, seed: 9), [4, 3], LayerMode.Test, [], []),
        ("Chain Dense-BatchNorm-Dropout-Dense", () => new Chain(new Dense(3, 4, seed: 10), new BatchNorm(4), new Dropout(0.3f, seed: 11), new Dense(4, 2, Activations.Swish, seed: 12)),
            [5, 3], LayerMode.Test, ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"], ["1.running_mean", "1.running_var"]),
        // A layer used at two positions: its parameters and buffers are listed once, under the first name.
        ("Chain sharing a Dense and a BatchNorm", () => SharedChain(), [5, 4], LayerMode.Test,
            ["0.weight", "0.bias", "1.weight", "1.bias"], ["1.running_mean", "1.running_var"]),
        ("Conv2D", () => new Conv2D(2, 3, 3, Activations.Tanh, padding: 1, seed: 13), [2, 2, 4, 5], LayerMode.Auto, ["weight", "bias"], []),
        ("Conv2D strided grouped no bias", () => new Conv2D(4, 2, (2, 3), stride: 2, dilation: (1, 2), groups: 2, bias: false, seed: 14), [1, 4, 5, 7], LayerMode.Auto, ["weight"], []),
        ("Chain Conv2D-MaxPool2D-AvgPool2D-Flatten-Dense", () => new Chain(new Conv2D(1, 2, 3, padding: Padding.Same, seed: 15), new MaxPool2D(2),
            new AvgPool2D(2, 1), new Flatten(), new Dense(2, 3, seed: 16)), [2, 1, 5, 4], LayerMode.Auto, ["0.weight", "0.bias", "4.weight", "4.bias"], []),
        ("Chain Conv2D-BatchNorm-GlobalAvgPool", () => new Chain(new Conv2D(2, 3, 2, seed: 17), new BatchNorm(3), new GlobalAvgPool()), [3, 2, 3, 3],
            LayerMode.Train, ["0.weight", "0.bias", "1.weight", "1.bias"], ["1.running_mean", "1.running_var"]),
        ("GlobalMaxPool", () => new GlobalMaxPool(), [2, 3, 2, 2], LayerMode.Auto, [], []),
        ("Conv1D", () => new Conv1D(3, 4, 3, Activations.Tanh, stride: 2, padding: Padding.Same, seed: 18), [2, 3, 7], LayerMode.Auto, ["weight", "bias"], []),
        ("ConvTranspose2D", () => new ConvTranspose2D(3, 2, 3, stride: 2, padding: 1, outputPadding: 1, seed: 19), [2, 3, 3, 2], LayerMode.Auto, ["weight", "bias"], []),
        ("DepthwiseConv2D", () => new DepthwiseConv2D(3, 3, 2, padding: 1, seed: 20), [2, 3, 4, 4], LayerMode.Auto, ["weight", "bias"], []),
        ("Upsample-ZeroPad2D-ChannelDropout", () => new Chain(new Upsample(2), new ZeroPad2D(1), new ChannelDropout(0.5f, seed: 21)), [2, 3, 2, 2],
            LayerMode.Test, [], []),
    ];

    private static Chain SharedChain()
    {
        var dense = new Dense(4, 4, Activations.Tanh, seed: 13);
        var norm = new BatchNorm(4);
        return new Chain(dense, norm, dense, new Chain(norm));
    }

    public static TheoryData<string> Names() => [.. Rows.Select(r => r.Name)];

    private static (Layer Layer, Tensor Input) Build(string name, ulong seed)
    {
        var row = Rows.Single(r => r.Name == name);
        var layer = row.Make();
        _ = row.Mode switch { LayerMode.Train => layer.TrainMode(), LayerMode.Test => layer.TestMode(), _ => layer.AutoMode() };
        foreach (var p in layer.Parameters()) p.Assign(LayerTesting.Random(p.Shape.ToArray(), seed++, -1.5f, 1.5f));
        return (layer, LayerTesting.Random(row.Input, seed, -2f, 2f));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradients_match_finite_differences_for_input_and_every_parameter(string name)
    {
        var (layer, x) = Build(name, 21);
        var result = GradientCheck.Run(() => LayerTesting.WeightedSum(layer.Forward(x)), [x, .. layer.Parameters()]);
        Assert.True(result.Passed, $"{name}: {result}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Parameters_and_buffers_are_named_in_state_dict_order(string name)
    {
        var row = Rows.Single(r => r.Name == name);
        var layer = row.Make();
        Assert.Equal(row.Parameters, layer.NamedParameters().Select(p => p.Key));
        Assert.Equal(row.Buffers, layer.NamedBuffers().Select(p => p.Key));
        Assert.Equal(layer.NamedParameters().Select(p => p.Value), layer.Parameters());
        Assert.Equal(layer.Parameters().Sum(p => p.Length), layer.ParameterCount);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_keeps_no_tensor_beyond_its_scope(string name)
    {
        var (layer, x) = Build(name, 5);
        using var scope = TensorScope.Begin();
        var y = layer.Forward(x);
        Assert.True(y.Length > 0);
        scope.Dispose();
        Assert.False(x.IsDisposed);
        Assert.All(layer.Parameters(), p => Assert.False(p.IsDisposed));
        Assert.All(layer.NamedBuffers(), b => Assert.False(b.Value.IsDisposed));
    }

    [Fact]
    public void A_shared_layer_counts_once()
    {
        var dense = new Dense(4, 4);
        var model = new Chain(dense, dense);
        Assert.Equal(20, dense.ParameterCount);
        Assert.Equal(20, model.ParameterCount);
        Assert.Equal(2, model.Parameters().Count);
        Assert.Contains("Total params: 20 (trainable)", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Mode_is_set_for_a_whole_model_and_auto_follows_recording()
    {
        var bn = new BatchNorm(2);
        var model = new Chain(new Dense(2, 2, seed: 1), new Chain(bn));
        Assert.Equal(LayerMode.Auto, bn.Mode);
        Assert.False(bn.IsTraining);
        var x = Tensor.Ones(3, 2);
        bool seen = false;
        Autodiff.Gradient(() => { seen = bn.IsTraining; return model.Forward(x).Sum(); }, model.Parameters());
        Assert.True(seen);
        Autodiff.Gradient(() =>
        {
            using (Autodiff.NoGrad()) seen = bn.IsTraining;
            return model.Forward(x).Sum();
        }, model.Parameters());
        Assert.False(seen);
        Assert.Same(model, model.TrainMode());
        Assert.True(bn.IsTraining);
        model.TestMode();
        Assert.Equal(LayerMode.Test, bn.Mode);
        Autodiff.Gradient(() => { seen = bn.IsTraining; return model.Forward(x).Sum(); }, model.Parameters());
        Assert.False(seen);
        model.AutoMode();
        Assert.Equal(LayerMode.Auto, bn.Mode);
    }
}
