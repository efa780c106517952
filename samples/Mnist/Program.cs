// Trains a multilayer perceptron on the MNIST digits with Keras-style model.Fit: Adam, dropout, accuracy as a metric,
// the test set as validation data, a console progress bar, and the history saved as history.csv and plotted in
// history.svg. Needs the four MNIST files (see --help); prints, last, the accuracy on the 10,000 test images.
//
//   dotnet run --project samples/Mnist -c Release -- [--data DIR] [--epochs N] [--device cpu|cuda:0|opencl:0]
using System.Globalization;
using DeepLearning;
using MnistSample;
using static DeepLearning.Activations;

string? dataDir = null;
int epochs = 5;
string deviceName = "cpu";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: dataDir = args[++i]; break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out epochs) && epochs > 0: i++; break;
        case "--device" when i + 1 < args.Length: deviceName = args[++i]; break;
        default:
            Console.Error.WriteLine($"""
                usage: Mnist [--data DIR] [--epochs N] [--device cpu|cuda:0|opencl:0]   (unknown or incomplete argument '{args[i]}')
                  --data DIR    folder of the MNIST files (default: $DEEPLEARNING_DATA/mnist, else ~/.cache/deeplearning/mnist)
                  --epochs N    passes over the 60,000 training images (default 5)
                  --device NAME where to train: cpu (default), cuda:N (NVIDIA), opencl:N (AMD, Intel), ilgpu-cpu (tests)
                """);
            return 2;
    }
}

// The device first: a wrong name fails before any data is read.
Device device;
IReadOnlyList<GpuDeviceInfo> gpus = [];
try
{
    gpus = GpuDevices.Register();                       // cuda:N and opencl:N become names Device.FromName knows
    device = Device.FromName(deviceName);
}
catch (Exception e) when (e is ArgumentException or GpuUnavailableException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(gpus.Count == 0
        ? "GPU devices found: none (cpu is always available)"
        : "GPU devices found:\n" + string.Join("\n", gpus.Select(g =>
            Invariant($"  {g.Kind}:{g.Index}  {g.Name}, {g.MemoryBytes / (1L << 20):N0} MiB{(g.Supported ? "" : "  (not usable: " + g.Note + ")")}"))));
    return 2;
}

dataDir ??= Environment.GetEnvironmentVariable("DEEPLEARNING_DATA") is { Length: > 0 } root
    ? Path.Combine(root, "mnist")
    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deeplearning", "mnist");

List<string> Missing() => [.. Mnist.FileNames.Where(f => !File.Exists(Path.Combine(dataDir, f)) && !File.Exists(Path.Combine(dataDir, f + ".gz")))];
var missing = Missing();
string? failure = missing.Count > 0 ? MnistDownload.TryFetch(dataDir, missing) : null;
if (missing.Count > 0) missing = Missing();
if (missing.Count > 0)
{
    Console.Error.WriteLine($"""
        MNIST not found: '{Path.GetFullPath(dataDir)}' lacks {string.Join(", ", missing)}, and downloading failed ({failure}).
        Put these four files there, raw or gzipped (.gz), from any MNIST mirror
        (e.g. https://ossci-datasets.s3.amazonaws.com/mnist/):
          {string.Join("\n  ", Mnist.FileNames.Select(f => f + ".gz"))}
        or pass --data DIR, or set DEEPLEARNING_DATA to a folder holding mnist/.
        """);
    return 2;
}

var (train, test) = Mnist.Load(dataDir);
Console.WriteLine($"MNIST: {train.Count} training and {test.Count} test images from {dataDir}");

var model = new Chain(
    new Dense(784, 256, Relu, seed: 1),
    new Dropout(0.2f, seed: 2),
    new Dense(256, 256, Relu, seed: 3),
    new Dropout(0.2f, seed: 4),
    new Dense(256, 10, seed: 5)).To(device);           // logits
Console.WriteLine(Invariant($"{model} — {model.ParameterCount:N0} parameters"));

var trainData = new DataLoader(train.Images, Tensor.OneHot(train.Labels, 10), batchSize: 64, shuffle: true, seed: 6, device: device);
var testData = new DataLoader(test.Images, Tensor.OneHot(test.Labels, 10), batchSize: 1000, device: device);
var opt = new Adam(1e-3f).Setup(model);
opt.Schedule = new CosineDecay(1e-3f, decaySteps: epochs * trainData.Count, minimum: 1e-5f);   // per step, down to 1e-5
var progress = new ConsoleProgress();                   // the library's: a live bar on a terminal, epoch lines in a log

var history = model.Fit(Losses.LogitCrossEntropy, trainData, opt, new FitOptions
{
    Epochs = epochs,
    ValidationData = testData,
    Metrics = [Metric.Accuracy],
    Callbacks = [progress],
    Progress = progress,
});

history.SaveCsv("history.csv");
SvgPlot.Write("history.svg", [
    ("loss", [("train", history.Loss), ("test", history["val_loss"])]),
    ("accuracy", [("train", history["accuracy"]), ("test", history["val_accuracy"])]),
]);
Console.WriteLine(Invariant($"wrote history.csv and history.svg; mean epoch time {progress.EpochTimes.Average(t => t.TotalSeconds):F1} s"));

float accuracy = Metrics.Accuracy(model.Forward(test.Images.To(device)), test.Labels);
Console.WriteLine(Invariant($"test accuracy: {accuracy:F4}"));
return epochs >= 5 && accuracy < 0.975f ? 1 : 0;   // the sample's promise: at least 97.5% within 5 epochs

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
