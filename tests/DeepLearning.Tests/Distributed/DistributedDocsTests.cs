using DeepLearning.Distributed;
using static DeepLearning.Activations;

namespace DeepLearning.Tests.Distributed;

/// <summary>
/// The code of docs/distributed.md, run on two ranks as threads: each <c>// snippet: NAME</c> region is compiled and run
/// here and must equal the page's block marked <c>&lt;!-- snippet: NAME --&gt;</c>.
/// </summary>
public class DistributedDocsTests
{
    [Fact]
    public void Fit_and_a_hand_written_loop_on_two_ranks()
    {
        var results = ThreadGroup.Run(2, comm =>
        {
            var images = Tensor.Rand(new Shape(128, 784), 1);
            var labels = Tensor.OneHot([.. Enumerable.Range(0, 128).Select(i => i % 10)], 10);
            var (testImages, testLabels) = (images.Slice(0, 64), labels.Slice(0, 64));
            // snippet: distributed-fit
            var model = new Chain(new Dense(784, 512, Relu), new Dense(512, 256, Relu), new Dense(256, 10));
            var opt = new Adam(1e-3f).Setup(model);
            using var dp = new DataParallel(model, opt, comm);    // rank 0's weights everywhere; Update averages gradients
            var train = new DataLoader(images, labels, batchSize: 32, shuffle: true, seed: 1).Shard(comm);
            var test = new DataLoader(testImages, testLabels, batchSize: 16).Shard(comm);
            var history = model.Fit(Losses.LogitCrossEntropy, train, opt, new FitOptions
            {
                Epochs = 2,
                ValidationData = test,                             // each rank evaluates its shard; the numbers are averaged
                Metrics = [Metric.Accuracy],
                Verbose = 2,                                       // only rank 0 prints
            });
            // end snippet

            // snippet: distributed-loop
            foreach (var (x, y) in train)
            {
                var (loss, grads) = Autodiff.ValueAndGradient(() => Losses.LogitCrossEntropy(model.Forward(x), y), opt.Parameters);
                opt.Update(grads);                                 // averages the gradients over the ranks, then steps
            }
            var numbers = dp.Evaluate(Losses.LogitCrossEntropy, test, [Metric.Accuracy]);   // collective: every rank calls it
            if (dp.IsMainProcess) Console.WriteLine($"test accuracy {numbers["accuracy"]:P1}");
            // end snippet
            return (History: history, Numbers: numbers, Weights: model.Parameters().Select(p => p.ToArray()).ToArray());
        });
        Assert.Equal(results[0].Weights, results[1].Weights);
        Assert.Equal(results[0].Numbers, results[1].Numbers);
        Assert.Equal(results[0].History["val_loss"], results[1].History["val_loss"]);
    }

    [Fact]
    public void The_page_shows_these_snippets()
    {
        var names = DocSnippets.AssertShown(Path.Combine("tests", "DeepLearning.Tests", "Distributed", "DistributedDocsTests.cs"),
            Path.Combine("docs", "distributed.md"), "distributed-");
        Assert.Equal(["distributed-fit", "distributed-loop"], names);
    }
}
