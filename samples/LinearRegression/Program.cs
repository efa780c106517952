// Recovers a random linear map y = M·x + c from 1000 noisy samples with a Dense(4, 4) layer, trained by Trainer.Train
// (one pass over a shuffled DataLoader per epoch) with plain gradient descent on the mean squared error.
// Prints the loss as it falls and, last, the Frobenius distance between the learned weight and M.
using System.Globalization;
using DeepLearning;

const int features = 4, samples = 1000, epochs = 10;

var trueMap = Tensor.RandN(new Shape(features, features), seed: 1);    // M [out, in]
var trueBias = Tensor.RandN(new Shape(features), seed: 2);             // c [out]
var (x, y) = Synthetic.Linear(trueMap, trueBias, samples, noise: 0.01f, seed: 3);

var model = new Dense(features, features, seed: 4);
var data = new DataLoader(x, y, batchSize: 50, shuffle: true, seed: 5);
var opt = new Descent(0.1f).Setup(model);

Tensor Loss(Tensor xb, Tensor yb) => Losses.Mse(model.Forward(xb), yb);

for (int epoch = 1; epoch <= epochs; epoch++)
{
    float loss = Trainer.Train(Loss, data, opt);
    Console.WriteLine(Invariant($"epoch {epoch,3}: loss {loss:G6}"));
}

float dist = MathF.Sqrt((model.Weight - trueMap).Square().Sum().Item());
Console.WriteLine(Invariant($"dist(W, M) = {dist:G4}"));
return dist < 1e-2f ? 0 : 1;

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
