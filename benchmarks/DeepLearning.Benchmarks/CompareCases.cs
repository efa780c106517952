using DeepLearning.Backends.Cpu;
using static DeepLearning.Activations;

namespace DeepLearning.Benchmarks;

/// <summary>
/// One case of the side-by-side comparison with PyTorch (benchmarks/compare): <see cref="Run"/> performs
/// <c>iterations</c> repetitions of the measured operation. The BenchmarkDotNet classes call the same code, so the
/// Stopwatch table and the allocation figures measure one thing.
/// </summary>
public abstract class CompareCase
{
    /// <summary>The name benchmarks/compare/torch_cases.py knows the case by.</summary>
    public abstract string Name { get; }

    /// <summary>Performs the operation <paramref name="iterations"/> times.</summary>
    public abstract void Run(int iterations);

    /// <summary>Every case, built on demand (some hold hundreds of MB of weights).</summary>
    public static IEnumerable<string> Names =>
        GemmCase.All.Select(g => "gemm_" + g.Name)
            .Concat(["mlp_sgd", "mlp_adam", "mlp_infer", "tiny_add", "tiny_grad", "tiny_mlp_step", "mnist_epoch", "lstm_fwd_bwd", "transformer_fwd_bwd", "mnist_epoch_loop", "cnn_sgd", "conv_resnet"])
            .Concat(ScalingShapes.Select(s => $"scale_b{s.Batch}_w{s.Width}"));

    /// <summary>Batch and hidden width of the 784-W-W-10 scaling cases (SGD training steps).</summary>
    public static readonly (int Batch, int Width)[] ScalingShapes =
        [(32, 512), (128, 512), (512, 512), (1024, 512), (128, 128), (128, 1024), (128, 2048)];

    /// <summary>Builds the case called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No case has that name.</exception>
    public static CompareCase Create(string name)
    {
        if (name.StartsWith("gemm_", StringComparison.Ordinal))
            return new GemmProduct(GemmCase.All.FirstOrDefault(g => "gemm_" + g.Name == name)
                ?? throw new ArgumentException($"compare: no GEMM case '{name}'", nameof(name)));
        if (name.StartsWith("scale_b", StringComparison.Ordinal))
        {
            var parts = name["scale_b".Length..].Split("_w");
            int width = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            return new MlpTraining(name, int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), 784,
                width, width, adam: false);
        }
        return name switch
        {
            "mlp_sgd" => new MlpTraining(name, 128, 784, 512, 256, adam: false),
            "mlp_adam" => new MlpTraining(name, 128, 784, 512, 256, adam: true),
            "mlp_infer" => new MlpInference(name, 1024),
            "tiny_add" => new TinyAdd(),
            "tiny_grad" => new TinyGradient(),
            "tiny_mlp_step" => new TinyMlpStep(),
            "mnist_epoch" => new MnistEpoch(),
            "mnist_epoch_loop" => new MnistEpoch(handWritten: true),
            "lstm_fwd_bwd" => new LstmForwardBackward(),
            "transformer_fwd_bwd" => new TransformerForwardBackward(),
            "cnn_sgd" => new CnnTraining(),
            "conv_resnet" => new ConvForwardBackward(),
            _ => throw new ArgumentException($"compare: no case '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
        };
    }

    /// <summary>The GEMM <see cref="Sgemm.Multiply"/> on one <see cref="GemmCase"/> shape (as gemm-compare).</summary>
    private sealed class GemmProduct : CompareCase
    {
        private readonly GemmCase _g;
        private readonly float[] _a, _b, _c;

        public GemmProduct(GemmCase g)
        {
            _g = g;
            var rng = new Random(1);
            _a = [.. Enumerable.Range(0, g.M * g.K).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
            _b = [.. Enumerable.Range(0, g.K * g.N).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
            _c = new float[g.M * g.N];
        }

        public override string Name => "gemm_" + _g.Name;

        public override void Run(int iterations)
        {
            int lda = _g.TransA ? _g.M : _g.K, ldb = _g.TransB ? _g.K : _g.N;
            for (int i = 0; i < iterations; i++)
                Sgemm.Multiply(_g.TransA, _g.TransB, _g.M, _g.N, _g.K, 1f, _a, 0, lda, _b, 0, ldb, 0f, _c, 0, _g.N);
        }
    }
}

/// <summary>
/// A training step of a 784-h1-h2-10 MLP (ReLU hidden layers, cross-entropy from logits with one-hot targets) with
/// SGD (η = 0.01) or Adam (η = 1e-3): <see cref="Trainer.TrainStep"/>, which runs the step in its own scope.
/// </summary>
public sealed class MlpTraining : CompareCase
{
    private readonly Tensor _x, _y;
    private readonly Layer _model;
    private readonly Optimizer _opt;
    private readonly Func<Tensor, Tensor, Tensor> _loss;

    /// <summary>Builds the model, the optimizer and one fixed batch of <paramref name="batch"/> random samples.</summary>
    public MlpTraining(string name, int batch, int inputs, int hidden1, int hidden2, bool adam)
    {
        Name = name;
        _model = new Chain(new Dense(inputs, hidden1, Relu, seed: 1), new Dense(hidden1, hidden2, Relu, seed: 2), new Dense(hidden2, 10, seed: 3));
        _opt = adam ? new Adam(1e-3f).Setup(_model) : new Descent(0.01f).Setup(_model);
        _x = Tensor.RandN(new Shape(batch, inputs), seed: 4);
        var rng = new Random(5);
        _y = Tensor.OneHot([.. Enumerable.Range(0, batch).Select(_ => rng.Next(10))], 10);
        _loss = (x, y) => Losses.LogitCrossEntropy(_model.Forward(x), y);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++) Trainer.TrainStep(_loss, _x, _y, _opt);
    }
}

/// <summary>Inference of the 784-512-256-10 MLP on a batch: forward under <see cref="Autodiff.NoGrad"/> in a scope.</summary>
public sealed class MlpInference : CompareCase
{
    private readonly Tensor _x;
    private readonly Layer _model;

    /// <summary>Builds the model and one batch of <paramref name="batch"/> random samples.</summary>
    public MlpInference(string name, int batch)
    {
        Name = name;
        _model = new Chain(new Dense(784, 512, Relu, seed: 1), new Dense(512, 256, Relu, seed: 2), new Dense(256, 10, seed: 3));
        _x = Tensor.RandN(new Shape(batch, 784), seed: 4);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            using (Autodiff.NoGrad())
            using (TensorScope.Begin())
                _model.Forward(_x);
        }
    }
}

/// <summary>
/// <c>a + b</c> of two 10-element tensors, the result disposed at once, as PyTorch frees it when the reference drops:
/// the op plus the release of its buffer to the pool. No scope is open, so no scope bookkeeping is measured.
/// </summary>
public sealed class TinyAdd : CompareCase
{
    private readonly Tensor _a = Tensor.RandN(new Shape(10), seed: 1), _b = Tensor.RandN(new Shape(10), seed: 2);

    /// <inheritdoc/>
    public override string Name => "tiny_add";

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++) (_a + _b).Dispose();
    }
}

/// <summary>
/// Value and gradient of <c>sum(relu(x·w + b))</c> w.r.t. w and b, 10-element vectors, each in its own scope.
/// </summary>
public sealed class TinyGradient : CompareCase
{
    private readonly Tensor _x = Tensor.RandN(new Shape(10), seed: 1);
    private readonly Parameter _w = new(Tensor.RandN(new Shape(10), seed: 2), "w");
    private readonly Parameter _bias = new(Tensor.RandN(new Shape(10), seed: 3), "b");
    private readonly Tensor[] _sources;
    private readonly Func<Tensor> _f;

    /// <summary>Creates x, w and b.</summary>
    public TinyGradient()
    {
        _sources = [_w, _bias];
        _f = () => (_x * _w + _bias).Relu().Sum();
    }

    /// <inheritdoc/>
    public override string Name => "tiny_grad";

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            using (TensorScope.Begin())
                Autodiff.ValueAndGradient(_f, _sources);
        }
    }
}

/// <summary>A training step of a 10-10-10 MLP (ReLU hidden layer, MSE) at batch 1 with SGD (η = 0.01).</summary>
public sealed class TinyMlpStep : CompareCase
{
    private readonly Tensor _x = Tensor.RandN(new Shape(1, 10), seed: 1), _y = Tensor.RandN(new Shape(1, 10), seed: 2);
    private readonly Optimizer _opt;
    private readonly Func<Tensor, Tensor, Tensor> _loss;

    /// <summary>Builds the model and its optimizer.</summary>
    public TinyMlpStep()
    {
        var model = new Chain(new Dense(10, 10, Relu, seed: 3), new Dense(10, 10, seed: 4));
        _opt = new Descent(0.01f).Setup(model);
        _loss = (x, y) => Losses.Mse(model.Forward(x), y);
    }

    /// <inheritdoc/>
    public override string Name => "tiny_mlp_step";

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++) Trainer.TrainStep(_loss, _x, _y, _opt);
    }
}

/// <summary>
/// One epoch of DESIGN.md §1's MNIST training without dropout: 784-128-10 (ReLU), Adam(1e-3), batch 128, shuffled
/// DataLoader over the 60,000 training images. The files are read from <c>$DEEPLEARNING_DATA/mnist</c> or the
/// <c>shared/data/mnist</c> folder beside the repository (or an ancestor of it).
/// </summary>
public sealed class MnistEpoch : CompareCase
{
    private readonly DataLoader _data;
    private readonly Optimizer _opt;
    private readonly Func<Tensor, Tensor, Tensor> _loss;
    private readonly bool _handWritten;

    /// <summary>Loads MNIST and builds the model.</summary>
    /// <param name="handWritten">Train with README's hand-written loop (foreach, ValueAndGradient, Update) instead of <c>Trainer.Train</c>.</param>
    /// <exception cref="DirectoryNotFoundException">The MNIST files are not found.</exception>
    public MnistEpoch(bool handWritten = false)
    {
        _handWritten = handWritten;
        var (train, _) = Mnist.Load(Directory());
        var model = new Chain(new Dense(784, 128, Relu, seed: 1), new Dense(128, 10, seed: 2));
        _data = new DataLoader(train.Images, Tensor.OneHot(train.Labels, 10), batchSize: 128, shuffle: true, seed: 1);
        _opt = new Adam(1e-3f).Setup(model);
        _loss = (x, y) => Losses.LogitCrossEntropy(model.Forward(x), y);
    }

    /// <inheritdoc/>
    public override string Name => _handWritten ? "mnist_epoch_loop" : "mnist_epoch";

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            if (!_handWritten)
            {
                Trainer.Train(_loss, _data, _opt);
                continue;
            }
            // README's loop, as written there.
            foreach (var (x, y) in _data)
            {
                var (loss, grads) = Autodiff.ValueAndGradient(() => _loss(x, y), _opt.Parameters);
                _opt.Update(grads);
            }
        }
    }

    /// <summary>The MNIST folder: <c>$DEEPLEARNING_DATA/mnist</c> or <c>shared/data/mnist</c> above the current directory.</summary>
    internal static string Directory()
    {
        if (Environment.GetEnvironmentVariable("DEEPLEARNING_DATA") is { Length: > 0 } data) return Path.Combine(data, "mnist");
        for (var d = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", "mnist");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("mnist_epoch: no shared/data/mnist above the current directory; set DEEPLEARNING_DATA");
    }
}

/// <summary>
/// A training step of samples/MnistCnn's network (conv 3×3 32 → ReLU → max-pool 2 → conv 3×3 64 → ReLU → max-pool 2 →
/// Flatten → Dense 10) with SGD (η = 0.01) at batch 128 on one fixed batch of random 1×28×28 images.
/// </summary>
public sealed class CnnTraining : CompareCase
{
    private readonly Tensor _x, _y;
    private readonly Optimizer _opt;
    private readonly Func<Tensor, Tensor, Tensor> _loss;

    /// <summary>Builds the model, the optimizer and the batch.</summary>
    public CnnTraining()
    {
        var model = new Chain(new Conv2D(1, 32, 3, Relu, seed: 1), new MaxPool2D(2), new Conv2D(32, 64, 3, Relu, seed: 2), new MaxPool2D(2),
            new Flatten(), new Dense(1600, 10, seed: 3));
        _opt = new Descent(0.01f).Setup(model);
        _x = Tensor.Uniform(new Shape(128, 1, 28, 28), 0f, 1f, seed: 4);
        var rng = new Random(5);
        _y = Tensor.OneHot([.. Enumerable.Range(0, 128).Select(_ => rng.Next(10))], 10);
        _loss = (x, y) => Losses.LogitCrossEntropy(model.Forward(x), y);
    }

    /// <inheritdoc/>
    public override string Name => "cnn_sgd";

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++) Trainer.TrainStep(_loss, _x, _y, _opt);
    }
}

/// <summary>
/// Conv2D forward and backward at a ResNet block's shape: batch 32, 64 → 64 channels, 3×3, padding 1, 56×56; the
/// gradients of <c>Σ conv(x) ⊙ r</c> w.r.t. the input, the weight and the bias, in a scope per iteration.
/// </summary>
public sealed class ConvForwardBackward : CompareCase
{
    private readonly Tensor _x, _r;
    private readonly Conv2D _conv = new(64, 64, 3, padding: 1, seed: 1);
    private readonly Tensor[] _sources;
    private readonly Func<Tensor> _f;

    /// <summary>Builds the layer and the input.</summary>
    public ConvForwardBackward()
    {
        _x = Tensor.RandN(new Shape(32, 64, 56, 56), seed: 2);
        _r = Tensor.RandN(new Shape(32, 64, 56, 56), seed: 3);
        _sources = [_x, _conv.Weight, _conv.Bias!];
        _f = () => (_conv.Forward(_x) * _r).Sum();
    }

    /// <inheritdoc/>
    public override string Name => "conv_resnet";

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            using (TensorScope.Begin())
                Autodiff.ValueAndGradient(_f, _sources);
        }
    }
}
