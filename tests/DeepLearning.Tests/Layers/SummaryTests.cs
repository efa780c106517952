using static DeepLearning.Activations;

namespace DeepLearning.Tests.Layers;

public class SummaryTests
{
    [Fact]
    public void Lists_each_layer_with_output_shape_and_parameter_count()
    {
        var model = new Chain(new Dense(2, 4, σ, seed: 1), new BatchNorm(4), new Chain(new Dense(4, 3, σ, seed: 2), Softmax));
        var lines = model.Summary(5, 2).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Dense(2 => 4): 2·4 + 4 = 12; BatchNorm(4): γ, β = 8 (+ 8 buffer values); Dense(4 => 3): 4·3 + 3 = 15.
        Assert.Matches(@"^Name\s+Layer\s+Output shape\s+Param #$", lines[0]);
        Assert.Matches(@"^0\s+Dense\(2 => 4, σ\)\s+\[5,4\]\s+12$", lines[2]);
        Assert.Matches(@"^1\s+BatchNorm\(4\)\s+\[5,4\]\s+8$", lines[3]);
        Assert.Matches(@"^2\.0\s+Dense\(4 => 3, σ\)\s+\[5,3\]\s+15$", lines[4]);
        Assert.Matches(@"^2\.1\s+Softmax\s+\[5,3\]\s+0$", lines[5]);
        Assert.Equal("Total params: 35 (trainable)", lines[7]);
        Assert.Equal("Buffers: 8 (non-trainable)", lines[8]);
    }

    [Fact]
    public void Does_not_move_running_statistics_or_modes()
    {
        var bn = new BatchNorm(3);
        var model = new Chain(bn).TrainMode();
        model.Summary(4, 3);
        Assert.Equal([0f, 0f, 0f], bn.RunningMean.ToArray());
        Assert.Equal(LayerMode.Train, bn.Mode);
    }

    [Fact]
    public void Without_input_shape_shapes_are_unknown_and_bad_shapes_name_the_layer()
    {
        var model = new Chain(new Dense(2, 4, seed: 1), new Dense(4, 1, seed: 2));
        Assert.Contains("?", model.Summary(), StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(() => model.Summary(3, 5));
        Assert.StartsWith("Chain[0] Dense(2 => 4): input has 5 features", e.Message, StringComparison.Ordinal);
        Assert.Equal("Chain(Dense(2 => 4), Dense(4 => 1))", model.ToString());
    }
}
