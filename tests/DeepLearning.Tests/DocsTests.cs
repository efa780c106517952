using static DeepLearning.Activations;

namespace DeepLearning.Tests;

/// <summary>
/// The code of docs/tensors.md, docs/layers.md, docs/training.md and docs/devices.md: each snippet region is compiled and
/// run here, and must equal the page's block (the snippet name starts with the page's name).
/// </summary>
public class DocsTests
{
    [Fact]
    public void Tensors_and_autodiff()
    {
        // snippet: tensors-basics
        var a = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });   // [2,3]
        var b = Tensor.FromArray([10f, 20f, 30f]);                               // [3], broadcast over the rows
        var c = (a + b).Relu().Sum(1);                                            // [2]
        Console.WriteLine(c);
        // end snippet
        Assert.Equal([66f, 75f], c.ToArray());

        // snippet: tensors-gradient
        var w = new Parameter(Tensor.Ones(3), "w");
        var x = Tensor.FromArray([1f, 2f, 3f]);
        var (value, grads) = Autodiff.ValueAndGradient(() => (x * w).Square().Sum(), [w]);
        Console.WriteLine(grads[w]);                                              // 2·x²·w = [2, 8, 18]
        // end snippet
        Assert.Equal(14f, value.Item());
        Assert.Equal([2f, 8f, 18f], grads[w].ToArray());

        // snippet: tensors-scope
        Tensor kept;
        using (var scope = TensorScope.Begin())
        {
            var temporary = a * 2f;                       // released when the scope ends
            kept = scope.Keep(temporary.Sum());           // moves to the enclosing scope (none here: kept until Dispose)
        }
        Console.WriteLine(kept.Item());
        // end snippet
        Assert.Equal(42f, kept.Item());
        kept.Dispose();
    }

    [Fact]
    public void Layers()
    {
        // snippet: layers-chain
        var model = new Chain(
            new Dense(4, 16, Relu),
            new BatchNorm(16),
            new Dropout(0.1f),
            new Dense(16, 3));
        Console.WriteLine(model.Summary(32, 4));
        foreach (var (name, p) in model.NamedParameters()) Console.WriteLine($"{name} {p.Shape}");   // 0.weight [16,4] …
        // end snippet
        Assert.Equal("0.weight", model.NamedParameters()[0].Key);
    }

    [Fact]
    public void Training()
    {
        var (xs, ys) = Synthetic.Spirals(100, 3, 0.1f, 1);
        // snippet: training-fit
        var model = new Chain(new Dense(2, 32, Relu), new Dense(32, 3));
        var opt = new Adam(1e-2f).Setup(model);
        var data = new DataLoader(xs, Tensor.OneHot(ys, 3), batchSize: 32, shuffle: true, seed: 1);
        var history = model.Fit(Losses.LogitCrossEntropy, data, opt, new FitOptions
        {
            Epochs = 20,
            Metrics = [Metric.Accuracy],
            Callbacks = [new EarlyStopping("loss", patience: 3)],
        });
        Console.WriteLine(history["accuracy"][^1]);
        // end snippet
        Assert.True(history.Count > 0);

        // snippet: training-loop
        foreach (var (x, y) in data)
        {
            var (loss, grads) = Autodiff.ValueAndGradient(() => Losses.LogitCrossEntropy(model.Forward(x), y), opt.Parameters);
            opt.Update(grads);
        }
        // end snippet
    }

    [Fact]
    public void Devices()
    {
        var (images, labels) = Synthetic.Spirals(32, 2, 0.1f, 2);
        // snippet: devices-placement
        var device = Device.FromName("cpu");              // a GPU device comes from DeepLearning.Gpu
        var model = new Chain(new Dense(2, 16, Relu), new Dense(16, 2)).To(device);
        var opt = new Adam(1e-3f).Setup(model);
        var data = new DataLoader(images, Tensor.OneHot(labels, 2), batchSize: 16, shuffle: true, seed: 1, device: device);
        Trainer.Train((x, y) => Losses.LogitCrossEntropy(model.Forward(x), y), data, opt);
        // end snippet
        Assert.Equal(device, model.Device);
    }

    public static TheoryData<string> Pages() => ["tensors", "layers", "training", "devices"];

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_page_shows_these_snippets(string page)
    {
        var names = DocSnippets.AssertShown(Path.Combine("tests", "DeepLearning.Tests", "DocsTests.cs"), Path.Combine("docs", page + ".md"), page + "-");
        Assert.NotEmpty(names);
    }
}
