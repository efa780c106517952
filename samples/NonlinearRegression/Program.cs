// Fits a nonlinear curve, y = sin(3x) + 0.3x² + noise, with a small multilayer perceptron (a Chain of Dense layers
// with Tanh), trained with Adam. The data is split into train / validation / test parts (DataSplit): the model learns
// on the first, Fit reports the second after each epoch, and the third is scored once at the end.
using System.Globalization;
using DeepLearning;
using static DeepLearning.Activations;

const int samples = 2000, epochs = 100;
const float noise = 0.1f;

// The data: x uniform in [-2, 2], y = f(x) + N(0, noise²), both as [samples, 1] columns.
var x = Tensor.Uniform(new Shape(samples, 1), -2f, 2f, seed: 1);
var eps = Tensor.Normal(new Shape(samples, 1), 0f, noise, seed: 2).ToArray();
var ys = x.ToArray().Select((v, i) => MathF.Sin(3 * v) + 0.3f * v * v + eps[i]).ToArray();
var y = Tensor.FromSpan(ys, new Shape(samples, 1));
var (train, validation, test) = DataSplit.TrainValidationTest(x, y, validationFraction: 0.15f, testFraction: 0.15f, seed: 3);

var model = new Chain(
    new Dense(1, 64, Tanh, seed: 4),
    new Dense(64, 64, Tanh, seed: 5),
    new Dense(64, 1, seed: 6));
var opt = new Adam(1e-2f).Setup(model);

var history = model.Fit(Losses.Mse, new DataLoader(train.X, train.Y, batchSize: 64, shuffle: true, seed: 7), opt,
    new FitOptions { Epochs = epochs, ValidationData = new DataLoader(validation.X, validation.Y, batchSize: 256) });
for (int e = 0; e < history.Count; e++)
    if (e == 0 || (e + 1) % 20 == 0)
        Console.WriteLine(Invariant($"epoch {e + 1,3}: train loss {history.Loss[e]:F5}, validation loss {history["val_loss"][e]:F5}"));

var testLoss = model.Evaluate(Losses.Mse, [test])["loss"];
Console.WriteLine(Invariant($"train loss: {history.Loss[^1]:F5}, validation loss: {history["val_loss"][^1]:F5} (noise variance {noise * noise:F5})"));
Console.WriteLine(Invariant($"test loss: {testLoss:F5}"));

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
