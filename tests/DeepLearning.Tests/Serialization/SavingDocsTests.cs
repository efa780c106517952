using static DeepLearning.Activations;

namespace DeepLearning.Tests.Serialization;

/// <summary>
/// The code of docs/saving.md: each <c>// snippet: NAME</c> region below is compiled and run here, and must equal the
/// page's code block marked <c>&lt;!-- snippet: NAME --&gt;</c>, so the page never shows code that does not work.
/// </summary>
public sealed class SavingDocsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("saving-docs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Chain BuildModel() =>
        new(new Dense(4, 16, Relu), new BatchNorm(16), new Dense(16, 3));

    private static (Tensor X, Tensor Y) Samples()
    {
        var x = Tensor.FromSpan(TestData.Uniform(64 * 4, 1), new Shape(64, 4));
        var y = Tensor.FromSpan(TestData.Uniform(64 * 3, 2), new Shape(64, 3));
        return (x, y);
    }

    [Fact]
    public void SaveAndLoad()
    {
        var (x, _) = Samples();
        string path = Path.Combine(_dir, "model.safetensors");
        // snippet: save-load
        var model = BuildModel();
        // … train it …
        model.Save(path);

        var copy = BuildModel();
        copy.Load(path);                          // every parameter and buffer, or an exception listing what differs
        // end snippet
        Assert.Equal(model.Forward(x).ToArray(), copy.Forward(x).ToArray());

        // snippet: mismatch
        var wider = new Chain(new Dense(4, 32, Relu), new BatchNorm(32), new Dense(32, 3));
        try
        {
            wider.Load(path);
        }
        catch (StateDictMismatchException e)
        {
            Console.WriteLine(e.Result);           // shape 0.weight: model [32,4], file [16,4] …
        }
        // end snippet

        // snippet: non-strict
        var bigger = new Chain(new Dense(4, 16, Relu), new BatchNorm(16), new Dense(16, 3), new Dense(3, 1));
        LoadResult result = bigger.Load(path, strict: false);
        Console.WriteLine(string.Join(", ", result.Missing));   // 3.weight, 3.bias: the new head keeps its initial weights
        // end snippet
        Assert.Equal(["3.weight", "3.bias"], result.Missing);
    }

    [Fact]
    public void Checkpoints()
    {
        var (x, y) = Samples();
        string path = Path.Combine(_dir, "run.safetensors");
        string folder = Path.Combine(_dir, "checkpoints");
        // snippet: checkpoint
        var model = BuildModel();
        var opt = new Adam(1e-3f).Setup(model);
        var data = new DataLoader(x, y, batchSize: 16, shuffle: true, seed: 1);
        model.Fit(Losses.Mse, data, opt, new FitOptions { Epochs = 2 });
        Checkpoint.Save(path, model, opt, data);

        // Later, perhaps in another process: build the same objects, load, and train on.
        var model2 = BuildModel();
        var opt2 = new Adam(1e-3f).Setup(model2);
        var data2 = new DataLoader(x, y, batchSize: 16, shuffle: true, seed: 1);
        Checkpoint.Load(path, model2, opt2, data2);
        model2.Fit(Losses.Mse, data2, opt2, new FitOptions { Epochs = 1 });
        // end snippet
        Assert.Equal(2 * data.Count + data.Count, opt2.Iterations);

        // snippet: callback
        var checkpoints = new Checkpoint(folder, every: 1, keepLast: 2, monitor: "val_loss", data: data);
        model.Fit(Losses.Mse, data, opt, new FitOptions { Epochs = 3, ValidationData = [(x, y)], Callbacks = [checkpoints] });
        Console.WriteLine(checkpoints.LastPath);   // …/checkpoints/epoch0003-step000000020.safetensors
        Console.WriteLine(checkpoints.BestPath);   // …/checkpoints/best.safetensors
        // end snippet
        Assert.Equal(3, Directory.GetFiles(folder).Length);
    }

    [Fact]
    public void ThePageShowsTheseSnippets()
    {
        var names = DocSnippets.AssertShown(Path.Combine("tests", "DeepLearning.Tests", "Serialization", "SavingDocsTests.cs"), Path.Combine("docs", "saving.md"));
        Assert.Equal(["save-load", "mismatch", "non-strict", "checkpoint", "callback"], names);
    }
}
