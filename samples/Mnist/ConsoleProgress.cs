using System.Diagnostics;
using System.Globalization;
using DeepLearning;

namespace MnistSample;

/// <summary>
/// A console progress bar for <see cref="Trainer.Fit"/>: as the <see cref="IProgress{T}"/> it redraws one line per batch
/// (bar, running loss, samples/s, ETA) with '\r' when the console is interactive; as a <see cref="Callback"/> it ends each
/// epoch with a line of the epoch's numbers (loss, accuracy, validation) and its time. When the output is redirected
/// (a log file, CI) only the epoch lines are written.
/// </summary>
internal sealed class ConsoleProgress : Callback, IProgress<TrainingProgress>
{
    private const int BarWidth = 30;
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private readonly Stopwatch _epochClock = new();
    private readonly Stopwatch _redrawClock = Stopwatch.StartNew();
    private TrainingProgress? _last;

    /// <summary>Wall time of each finished epoch, training and validation together.</summary>
    public List<TimeSpan> EpochTimes { get; } = [];

    public override void OnEpochBegin(FitContext context)
    {
        _last = null;
        _epochClock.Restart();
    }

    public void Report(TrainingProgress value)
    {
        _last = value;
        bool lastBatch = value.BatchesPerEpoch is int n && value.Batch == n - 1;
        if (!_interactive || (!lastBatch && _redrawClock.ElapsedMilliseconds < 100)) return;
        _redrawClock.Restart();
        int done = value.Batch + 1;
        string bar = value.BatchesPerEpoch is int total
            ? "[" + new string('#', BarWidth * done / total).PadRight(BarWidth, '.') + $"] {done}/{total}"
            : $"batch {done}";
        string eta = value.Remaining is TimeSpan r ? $" | ETA {r:m\\:ss}" : "";
        Console.Write(Invariant($"\repoch {value.Epoch + 1}/{value.Epochs} {bar} | loss {value.Loss:F4} | {value.SamplesPerSecond:F0} samples/s{eta}   "));
    }

    public override void OnEpochEnd(FitContext context, IReadOnlyDictionary<string, double> logs)
    {
        var elapsed = _epochClock.Elapsed;
        EpochTimes.Add(elapsed);
        var numbers = string.Join(", ", logs.Where(kv => kv.Key != "lr").Select(kv => Invariant($"{kv.Key} {kv.Value:F4}")));
        string speed = _last is { } p ? Invariant($", {p.SamplesPerSecond:F0} samples/s") : "";
        if (_interactive) Console.Write("\r" + new string(' ', Console.BufferWidth > 1 ? Console.BufferWidth - 1 : 100) + "\r");
        Console.WriteLine(Invariant($"epoch {context.Epoch + 1}/{context.Epochs}: {numbers} | {elapsed.TotalSeconds:F1} s{speed}"));
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
