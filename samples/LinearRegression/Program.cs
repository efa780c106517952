// Recovers a random linear map y = M·x + c from 1000 noisy samples by gradient descent on the mean squared error,
// using Autodiff.Gradient directly.
using System.Globalization;
using DeepLearning;

const int features = 4, samples = 1000, steps = 300;
const float learningRate = 0.1f;

var trueMap = Tensor.RandN(new Shape(features, features), seed: 1);
var trueBias = Tensor.RandN(new Shape(features), seed: 2);
var x = Tensor.RandN(new Shape(samples, features), seed: 3);
var noise = Tensor.Normal(new Shape(samples, features), 0f, 0.01f, seed: 4);
var y = Tensor.MatMul(x, trueMap, transposeB: true) + trueBias + noise;

var w = new Parameter(Tensor.Zeros(features, features), "weight");
var b = new Parameter(Tensor.Zeros(features), "bias");

for (int step = 0; step <= steps; step++)
{
    using var scope = TensorScope.Begin();
    var (loss, grads) = Autodiff.ValueAndGradient(
        () => (Tensor.MatMul(x, w, transposeB: true) + b - y).Square().Mean(), [w, b]);
    w.Assign(w - grads[w] * learningRate);
    b.Assign(b - grads[b] * learningRate);
    if (step % 50 == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step,4}: loss {loss.Item():G6}"));
}

float dist = MathF.Sqrt((w - trueMap).Square().Sum().Item());
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dist(W, M) = {dist:G4}"));
return dist < 1e-2f ? 0 : 1;
