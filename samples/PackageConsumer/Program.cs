// The program of the README's "Install" section: reference the package, train, save, load.
using DeepLearning;
using static DeepLearning.Activations;

var x = Tensor.FromArray(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
var y = Tensor.FromArray(new float[,] { { 0 }, { 1 }, { 1 }, { 0 } });                 // XOR
var model = new Chain(new Dense(2, 8, Tanh, seed: 1), new Dense(8, 1, seed: 2));
var opt = new Adam(0.05f).Setup(model);
for (int step = 0; step < 300; step++) Trainer.TrainStep((a, b) => Losses.Mse(model.Forward(a), b), x, y, opt);

var path = Path.Combine(Path.GetTempPath(), $"xor-{Environment.ProcessId}.safetensors");
model.Save(path);
var copy = new Chain(new Dense(2, 8, Tanh), new Dense(8, 1));
copy.Load(path);
File.Delete(path);

float loss = Losses.Mse(copy.Forward(x), y).Item();
Console.WriteLine($"DeepLearning {typeof(Tensor).Assembly.GetName().Version} from the package: XOR loss after loading {loss:F4}");
return loss < 0.01f ? 0 : 1;
