using static DeepLearning.Activations;

namespace DeepLearning.Tests.Layers;

public class ChainTests
{
    [Fact]
    public void Runs_layers_and_functions_in_order_and_is_indexable_and_enumerable()
    {
        var d1 = new Dense(2, 3, seed: 1);
        var d2 = new Dense(3, 2, seed: 2);
        var model = new Chain(d1, Softmax, d2);
        Assert.Equal(3, model.Count);
        Assert.Same(d1, model[0]);
        Assert.IsType<Lambda>(model[1]);
        Assert.Equal("Softmax", model[1].ToString());
        Assert.Equal([d1, model[1], d2], model.ToList());
        var x = Tensor.Uniform(new Shape(4, 2), -1f, 1f, 5);
        Assert.Equal(d2.Forward(d1.Forward(x).Softmax()).ToArray(), model.Forward(x).ToArray());
        Assert.Equal("Chain(Dense(2 => 3), Softmax, Dense(3 => 2))", model.ToString());
    }

    [Fact]
    public void Rejects_elements_that_are_not_layers_or_functions()
    {
        var e = Assert.Throws<ArgumentException>(() => new Chain(new Dense(2, 2, seed: 1), "relu"));
        Assert.Contains("element 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layer_error_is_prefixed_with_its_position()
    {
        var model = new Chain(new Dense(2, 5, seed: 1), new Dense(4, 3, seed: 2));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Ones(7, 2)));
        Assert.StartsWith("Chain[1] Dense(4 => 3): input has 5 features, expected 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_chain_errors_name_every_position()
    {
        var model = new Chain(new Dense(2, 2, seed: 1), new Chain(new Dense(2, 2, seed: 2), new Dense(3, 1, seed: 3)));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Ones(1, 2)));
        Assert.StartsWith("Chain[1][1] Dense(3 => 1): input has 2 features, expected 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_of_a_function_gets_its_name()
    {
        var model = new Chain(new Dense(2, 2, seed: 1), (Func<Tensor, Tensor>)(x => x + Tensor.Ones(3)));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Ones(1, 2)));
        Assert.StartsWith("Chain[1] λ: Add:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Learns_a_toy_three_class_problem_with_plain_gradient_descent()
    {
        // Three clusters in the plane, 20 points each, one-hot targets; Chain(Dense(2,4,σ), Dense(4,3,σ)) with MSE.
        float[][] centres = [[0f, 2f], [-2f, -1.5f], [2f, -1.5f]];
        var noise = Tensor.Normal(new Shape(60, 2), 0f, 0.4f, 42).ToArray2D();
        var xs = new float[60, 2];
        var ys = new float[60, 3];
        var labels = new int[60];
        for (int i = 0; i < 60; i++)
        {
            int c = i % 3;
            labels[i] = c;
            xs[i, 0] = centres[c][0] + noise[i, 0];
            xs[i, 1] = centres[c][1] + noise[i, 1];
            ys[i, c] = 1f;
        }
        var x = Tensor.FromArray(xs);
        var y = Tensor.FromArray(ys);
        var model = new Chain(new Dense(2, 4, σ, seed: 1), new Dense(4, 3, σ, seed: 2));
        var parameters = model.Parameters();
        float first = 0, last = 0;
        for (int step = 0; step < 600; step++)
        {
            using var scope = TensorScope.Begin();
            var (loss, grads) = Autodiff.ValueAndGradient(() => Losses.Mse(model.Forward(x), y), parameters);
            if (step == 0) first = loss.Item();
            last = loss.Item();
            using (Autodiff.NoGrad())
                foreach (var p in parameters) p.Assign(p - 5f * grads[p]);
        }
        var predicted = model.Forward(x).ArgMax(-1);
        double accuracy = predicted.Zip(labels).Count(t => t.First == t.Second) / 60.0;
        Assert.True(last < first / 3, $"loss went from {first} to {last}");
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy}");
    }

    [Fact]
    public void Design_section_1_model_runs_forward_and_backward()
    {
        var model = new Chain(
            new Dense(784, 128, Relu),
            new Dropout(0.2f),
            new Dense(128, 10));
        var images = Tensor.Rand(new Shape(16, 784), 3);
        int[] labels = [.. Enumerable.Range(0, 16).Select(i => i % 10)];
        Tensor Loss(Tensor x, int[] y) => Losses.LogitCrossEntropy(model.Forward(x), y);

        using var scope = TensorScope.Begin();
        var (loss, grads) = Autodiff.ValueAndGradient(() => Loss(images, labels), model.Parameters());
        Assert.True(float.IsFinite(loss.Item()) && loss.Item() > 0);
        Assert.Equal(4, grads.Count);
        foreach (var p in model.Parameters())
        {
            Assert.Equal(p.Shape, grads[p].Shape);
            Assert.All(grads[p].ToArray(), v => Assert.True(float.IsFinite(v)));
            Assert.Contains(grads[p].ToArray(), v => v != 0f);
        }
        // Outside a gradient call dropout is off: evaluation is deterministic.
        Assert.Equal(model.Forward(images).ToArray(), model.Forward(images).ToArray());
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], model.NamedParameters().Select(p => p.Key));
    }

    [Fact]
    public void A_chain_given_alone_is_nested_not_unpacked()
    {
        var inner = new Chain(new Dense(2, 3, seed: 1), new Dense(3, 1, seed: 2));
        var outer = new Chain(inner);
        Assert.Single(outer);
        Assert.Equal(["0.0.weight", "0.0.bias", "0.1.weight", "0.1.bias"], outer.NamedParameters().Select(p => p.Key));
    }
}
