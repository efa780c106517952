// Classifies the points of three interleaved spiral arms (Synthetic.Spirals), a set no linear model can separate,
// with a Chain of Dense + ReLU layers that outputs logits, trained by Adam on Losses.LogitCrossEntropy.
// Prints the training loss and accuracy as they improve and, last, the accuracy on a held-out test part.
using System.Globalization;
using DeepLearning;
using static DeepLearning.Activations;

const int classes = 3, epochs = 100;

var (x, labels) = Synthetic.Spirals(samplesPerClass: 500, classes, noise: 0.2f, seed: 1);
var (train, test) = DataSplit.TrainTest(x, labels, testFraction: 0.2f, seed: 2);
var data = new DataLoader(train.X, Tensor.OneHot(train.Labels, classes), batchSize: 64, shuffle: true, seed: 3);

var model = new Chain(
    new Dense(2, 64, Relu, seed: 4),
    new Dense(64, 64, Relu, seed: 5),
    new Dense(64, classes, seed: 6));                  // logits
var opt = new Adam(3e-3f).Setup(model);

Tensor Loss(Tensor xb, Tensor yb) => Losses.LogitCrossEntropy(model.Forward(xb), yb);

for (int epoch = 1; epoch <= epochs; epoch++)
{
    float loss = Trainer.Train(Loss, data, opt);
    if (epoch % 10 == 0)
        Console.WriteLine(Invariant($"epoch {epoch,3}: loss {loss:F4}, train accuracy {Metrics.Accuracy(model.Forward(train.X), train.Labels):F4}"));
}

float accuracy = Metrics.Accuracy(model.Forward(test.X), test.Labels);
Console.WriteLine(Invariant($"test accuracy: {accuracy:F4}"));
return accuracy >= 0.95f ? 0 : 1;

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
