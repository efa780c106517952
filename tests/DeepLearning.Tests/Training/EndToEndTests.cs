using DeepLearning.Tests.Data;
using static DeepLearning.Activations;

namespace DeepLearning.Tests.Training;

/// <summary>Models that must learn: spirals, and DESIGN.md §1's MNIST example exactly as a user writes it.</summary>
[Collection("Training.LiveBuffers")]
public class EndToEndTests
{
    [Fact]
    public void Spirals_are_separated()
    {
        var (x, labels) = Synthetic.Spirals(samplesPerClass: 300, classes: 3, noise: 0.1f, seed: 7);
        var (train, test) = DataSplit.TrainTest(x, labels, testFraction: 0.2f, seed: 3);
        var model = new Chain(
            new Dense(2, 64, Relu, seed: 1),
            new Dense(64, 64, Relu, seed: 2),
            new Dense(64, 3, seed: 3));
        var data = new DataLoader(train.X, Tensor.OneHot(train.Labels, 3), batchSize: 32, shuffle: true, seed: 1);
        var opt = new Adam(1e-2f).Setup(model);
        Tensor Loss(Tensor xb, Tensor yb) => Losses.LogitCrossEntropy(model.Forward(xb), yb);
        for (int epoch = 0; epoch < 60; epoch++) Trainer.Train(Loss, data, opt);
        double accuracy = Metrics.Accuracy(model.Forward(test.X), test.Labels);
        Assert.True(accuracy >= 0.95, $"test accuracy {accuracy:F3} < 0.95");
    }

    [SkippableFact]
    public void Design_example_learns_mnist()
    {
        string? dataDir = MnistTests.RealMnistDirectory();
        Skip.If(dataDir is null, "MNIST files not found: expected ../shared/data/mnist beside the repository");

        // DESIGN.md §1, verbatim but for explicit layer seeds (so the run is the same every time).
        var model = new Chain(
            new Dense(784, 128, Relu, seed: 1),
            new Dropout(0.2f, seed: 2),
            new Dense(128, 10, seed: 3));                  // logits

        var (train, test) = Mnist.Load(dataDir);          // Images [N,784] in [0,1], Labels int[N]
        var data = new DataLoader(train.Images, Tensor.OneHot(train.Labels, 10), batchSize: 128, shuffle: true, seed: 1);
        var opt = new Adam(1e-3f).Setup(model);           // rule + per-parameter state, bound to the model

        Tensor Loss(Tensor x, Tensor y) => Losses.LogitCrossEntropy(model.Forward(x), y);
        for (int epoch = 0; epoch < 5; epoch++)
            Trainer.Train(Loss, data, opt);               // Flux's train!(loss, data, opt): one pass over data

        double accuracy = Metrics.Accuracy(model.Forward(test.Images), test.Labels);
        Assert.True(accuracy >= 0.97, $"MNIST test accuracy {accuracy:F4} < 0.97");
    }
}
