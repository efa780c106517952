// Data-parallel training of the MLP 784-512-256-10 on MNIST: one process per rank, each with a copy of the model and
// its shard of every epoch, gradients averaged over the ranks before each Adam step (DataParallel). The global batch
// (default 64) is split over the ranks, so N ranks train as one process would and reach its accuracy; only rank 0 prints.
//
//   dotnet build samples/DataParallelMnist -c Release
//   mpirun -np 2 dotnet samples/DataParallelMnist/bin/Release/net10.0/DataParallelMnist.dll --data DIR [--epochs N] [--batch B]
//   dotnet samples/DataParallelMnist/bin/Release/net10.0/DataParallelMnist.dll --data DIR      (one process, the reference)
using System.Diagnostics;
using System.Globalization;
using DeepLearning;
using DeepLearning.Distributed;
using static DeepLearning.Activations;

string? dataDir = null;
int epochs = 5, globalBatch = 64;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: dataDir = args[++i]; break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out epochs) && epochs > 0: i++; break;
        case "--batch" when i + 1 < args.Length && int.TryParse(args[i + 1], out globalBatch) && globalBatch > 0: i++; break;
        default:
            Console.Error.WriteLine($"""
                usage: DataParallelMnist [--data DIR] [--epochs N] [--batch B]   (unknown or incomplete argument '{args[i]}')
                  --data DIR    folder of the four MNIST files (default: $DEEPLEARNING_DATA/mnist, else ~/.cache/deeplearning/mnist)
                  --epochs N    passes over the 60,000 training images (default 5)
                  --batch B     global batch size, split evenly over the ranks (default 64)
                """);
            return 2;
    }
}
dataDir ??= Environment.GetEnvironmentVariable("DEEPLEARNING_DATA") is { Length: > 0 } root
    ? Path.Combine(root, "mnist")
    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deeplearning", "mnist");

using var comm = Communicator.FromEnvironment();          // MPI under mpirun; a single process otherwise
bool main = comm.Rank == 0;

var missing = Mnist.FileNames.Where(f => !File.Exists(Path.Combine(dataDir, f)) && !File.Exists(Path.Combine(dataDir, f + ".gz"))).ToList();
if (missing.Count > 0 || globalBatch % comm.WorldSize != 0)
{
    // Every rank finds the same problem, so every rank stops before the first collective.
    if (main)
        Console.Error.WriteLine(missing.Count > 0
            ? $"MNIST not found: '{Path.GetFullPath(dataDir)}' lacks {string.Join(", ", missing)} (raw or .gz); run samples/Mnist once to download them, or pass --data DIR"
            : $"--batch {globalBatch} does not split evenly over {comm.WorldSize} ranks");
    return 2;
}

var (train, test) = Mnist.Load(dataDir);
var model = new Chain(
    new Dense(784, 512, Relu, seed: 1),
    new Dense(512, 256, Relu, seed: 2),
    new Dense(256, 10, seed: 3));                     // logits
var opt = new Adam(1e-3f).Setup(model);
using var dp = new DataParallel(model, opt, comm);   // checks every rank built this model, then rank 0's weights everywhere
int batch = globalBatch / comm.WorldSize;
var trainData = new DataLoader(train.Images, Tensor.OneHot(train.Labels, 10), batch, shuffle: true, seed: 4).Shard(comm);
var testData = new DataLoader(test.Images, Tensor.OneHot(test.Labels, 10), batchSize: 500).Shard(comm);
opt.Schedule = new CosineDecay(1e-3f, decaySteps: epochs * trainData.Count, minimum: 1e-5f);
if (main)
    Console.WriteLine(Invariant($"{comm.WorldSize} rank(s) over {comm.Name}, {Environment.ProcessorCount} CPU thread(s) each: {model.ParameterCount:N0} parameters, batch {batch} per rank ({globalBatch} in all), {trainData.Count} steps per epoch"));

var clock = Stopwatch.StartNew();
model.Fit(Losses.LogitCrossEntropy, trainData, opt, new FitOptions
{
    Epochs = epochs,
    ValidationData = testData,                        // each rank evaluates its 5,000 test images; Fit averages
    Metrics = [Metric.Accuracy],
    Verbose = 2,                                      // one line per epoch, from rank 0 only
});
double seconds = clock.Elapsed.TotalSeconds;
var numbers = dp.Evaluate(Losses.LogitCrossEntropy, testData, [Metric.Accuracy]);   // every rank calls it
double accuracy = numbers["accuracy"];
if (main)
{
    Console.WriteLine(Invariant($"{epochs * train.Count / seconds:F0} samples/s in all ({seconds:F1} s for {epochs} epochs, validation included)"));
    Console.WriteLine(Invariant($"test accuracy: {accuracy:F4}"));
}
return epochs >= 5 && accuracy < 0.975 ? 1 : 0;    // the promise: what one process reaches (98%) within 5 epochs

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
