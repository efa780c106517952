// A character-level language model: Embedding → Lstm → Dense over the characters of text that ships with the
// repository (its Markdown docs, this folder's copy of DESIGN.md, and the library's C# sources). Trains on shuffled
// windows of 64 characters with next-character targets, prints the validation cross-entropy (nats per character) and
// perplexity after each epoch, then samples text from the model.
// Usage: dotnet run -c Release [-- [epochs] [text file]]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DeepLearning;

const int steps = 64, batchSize = 32, embed = 64, hidden = 256;
int epochs = 2;
string? file = null;
foreach (var a in args)
    if (int.TryParse(a, CultureInfo.InvariantCulture, out int n)) epochs = n;
    else file = a;
string text = file is null ? RepositoryText() : File.ReadAllText(file);

var tokenizer = new CharTokenizer(text);
var (train, validation) = Split(tokenizer.Encode(text), block: 2048, every: 10);
Console.WriteLine(Invariant($"{text.Length} characters, vocabulary {tokenizer.VocabSize}; {train.Length} for training, {validation.Length} for validation"));

int vocab = tokenizer.VocabSize;
var model = new Chain(
    new Embedding(vocab, embed, seed: 1),
    new Lstm(embed, hidden, seed: 2),
    new Dense(hidden, vocab, seed: 3));                   // logits per character
var opt = new OptimizerChain(new ClipNorm(1f), new Adam(3e-3f)).Setup(model);
var data = new SequenceWindows(train, batchSize, steps, shuffle: true, seed: 4);
var held = new SequenceWindows(validation, 64, steps, shuffle: false);

Tensor Loss(Tensor x, Tensor y) => Losses.LogitCrossEntropy(model.Forward(x).Reshape(-1, vocab), Ids(y));

var clock = Stopwatch.StartNew();
float nats = float.NaN;
for (int epoch = 1; epoch <= epochs; epoch++)
{
    float trainLoss = Trainer.Train(Loss, data, opt);
    nats = Evaluate();
    Console.WriteLine(Invariant($"epoch {epoch}: train {trainLoss:F3} nats/char, validation {nats:F3} nats/char (perplexity {MathF.Exp(nats):F2}), {clock.Elapsed.TotalSeconds:F0} s"));
}
Console.WriteLine("sample: " + Sample("public Tensor ", 300, temperature: 0.7f, seed: 5));
Console.WriteLine(Invariant($"validation cross-entropy: {nats:F3} nats/char after {epochs} epochs, {clock.Elapsed.TotalSeconds:F0} s"));
return nats <= 1.6f ? 0 : 1;

// Mean cross-entropy over every validation window (each batch weighted by its number of characters).
float Evaluate()
{
    double sum = 0;
    int count = 0;
    foreach (var (x, y) in held)
    {
        sum += Loss(x, y).ToArray()[0] * (double)y.Length;
        count += y.Length;
    }
    return (float)(sum / count);
}

// Feeds the last (up to) 64 characters and draws the next from the softmax of the last step's logits at the temperature.
string Sample(string prompt, int length, float temperature, int seed)
{
    var rng = new Random(seed);
    var ids = tokenizer.Encode(prompt).ToList();
    for (int i = 0; i < length; i++)
    {
        using var scope = TensorScope.Begin();
        var context = ids.Skip(Math.Max(0, ids.Count - steps)).Select(v => (float)v).ToArray();
        var logits = model.Forward(Tensor.FromSpan(context, new Shape(1, context.Length)));
        var p = (logits.Slice(1, context.Length - 1, 1).Reshape(vocab) / temperature).Softmax().ToArray();
        double u = rng.NextDouble(), acc = 0;
        int next = vocab - 1;
        for (int k = 0; k < vocab; k++)
            if ((acc += p[k]) > u) { next = k; break; }
        ids.Add(next);
    }
    return tokenizer.Decode(ids);
}

static int[] Ids(Tensor y) => Array.ConvertAll(y.ToArray(), v => (int)v);

// Every `every`-th block of the sequence is held out, so validation sees all kinds of text the training set has.
static (int[] Train, int[] Validation) Split(int[] ids, int block, int every)
{
    var train = new List<int>();
    var validation = new List<int>();
    for (int start = 0, b = 0; start < ids.Length; start += block, b++)
        (b % every == every - 1 ? validation : train).AddRange(ids.AsSpan(start, Math.Min(block, ids.Length - start)));
    return ([.. train], [.. validation]);
}

// The repository's Markdown files, this sample's DESIGN.md and the library's sources, in path order.
static string RepositoryText()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DeepLearning.sln"))) dir = dir.Parent;
    if (dir is null) throw new DirectoryNotFoundException("CharLm: run inside the repository, or pass a text file as the first argument");
    static bool Built(string p) => p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
    var files = Directory.EnumerateFiles(dir.FullName, "*.md", SearchOption.AllDirectories)
        .Concat(Directory.EnumerateFiles(Path.Combine(dir.FullName, "src", "DeepLearning"), "*.cs", SearchOption.AllDirectories))
        .Where(p => !Built(p) && !p.Contains($"{Path.DirectorySeparatorChar}.", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal);
    var sb = new StringBuilder();
    foreach (var f in files) sb.Append(File.ReadAllText(f)).Append('\n');
    return sb.ToString();
}

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
