// Forecasts the next value of a noisy signal made of three sines (periods of about 90, 27 and 480 steps) from the 32
// values before it, with a Gru reading the window and a Dense head. Prints the test MSE of the model and of the naive
// forecast "the next value equals the last one"; the model must beat it by a wide margin.
using System.Globalization;
using DeepLearning;

const int window = 32, length = 6000, epochs = 12;
var rng = new Random(1);
var signal = new float[length];
for (int t = 0; t < length; t++)
    signal[t] = MathF.Sin(0.07f * t) + 0.5f * MathF.Sin(0.23f * t + 1f) + 0.3f * MathF.Sin(0.013f * t)
        + 0.1f * (float)(rng.NextDouble() * 2 - 1) * 1.73f;   // uniform noise of standard deviation 0.1

// Sample i: values i … i + window − 1 as [window, 1], target value i + window. The last fifth is the test set.
int samples = length - window, trainCount = samples * 4 / 5, testCount = samples - trainCount;
(Tensor X, Tensor Y) Windows(int from, int count)
{
    var x = new float[count * window];
    var y = new float[count];
    for (int i = 0; i < count; i++)
    {
        Array.Copy(signal, from + i, x, i * window, window);
        y[i] = signal[from + i + window];
    }
    return (Tensor.FromSpan(x, new Shape(count, window, 1)), Tensor.FromSpan(y, new Shape(count, 1)));
}
var train = Windows(0, trainCount);
var test = Windows(trainCount, testCount);

var model = new Chain(new Gru(1, 32, returnSequence: false, seed: 2), new Dense(32, 1, seed: 3));
var opt = new Adam(5e-3f).Setup(model);
var data = new DataLoader(train.X, train.Y, batchSize: 64, shuffle: true, seed: 4);
Tensor Loss(Tensor x, Tensor y) => Losses.Mse(model.Forward(x), y);

for (int epoch = 1; epoch <= epochs; epoch++)
{
    float loss = Trainer.Train(Loss, data, opt);
    if (epoch % 3 == 0) Console.WriteLine(Invariant($"epoch {epoch,2}: train MSE {loss:F5}"));
}

float modelMse = Losses.Mse(model.Forward(test.X), test.Y).ToArray()[0];
var last = test.X.Slice(1, window - 1, 1).Reshape(testCount, 1);
float naiveMse = Losses.Mse(last, test.Y).ToArray()[0];
Console.WriteLine(Invariant($"test MSE: model {modelMse:F5}, naive last value {naiveMse:F5} (noise variance 0.01)"));
return modelMse < 0.6f * naiveMse ? 0 : 1;

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
