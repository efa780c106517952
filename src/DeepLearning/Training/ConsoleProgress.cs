using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DeepLearning;

/// <summary>
/// Training progress as text (what <see cref="FitOptions.Verbose"/> uses). As the <see cref="IProgress{T}"/> of
/// <see cref="FitOptions.Progress"/> it redraws one line per batch in place with '\r' (bar, running loss and metrics,
/// samples/s, ETA) when <c>live</c>; as a <see cref="Callback"/> it ends each epoch with a line of the epoch's numbers
/// (loss, metrics, validation) and its time. Without the live bar (output redirected to a file or CI log, or another
/// writer) only the epoch lines are written.
/// </summary>
/// <example>
/// <code>
/// var progress = new ConsoleProgress();
/// model.Fit(loss, data, opt, new FitOptions { Epochs = 5, Callbacks = [progress], Progress = progress });
/// </code>
/// </example>
public sealed class ConsoleProgress : Callback, IProgress<TrainingProgress>
{
    private const int BarWidth = 30;
    private readonly TextWriter _output;
    private readonly bool _live;
    private readonly Stopwatch _epochClock = new();
    private readonly Stopwatch _redrawClock = Stopwatch.StartNew();
    private TrainingProgress? _last;
    private int _drawn;

    /// <summary>Progress written to <paramref name="output"/>.</summary>
    /// <param name="output">The writer; null is <see cref="Console.Out"/>.</param>
    /// <param name="live">
    /// Whether to redraw a bar per batch; null decides: only when writing to <see cref="Console.Out"/> and the console
    /// output is not redirected (a carriage return in a log file would garble it).
    /// </param>
    public ConsoleProgress(TextWriter? output = null, bool? live = null)
    {
        _output = output ?? Console.Out;
        _live = live ?? (ReferenceEquals(_output, Console.Out) && !Console.IsOutputRedirected);
    }

    /// <summary>Wall time of each finished epoch, training and validation together.</summary>
    public IReadOnlyList<TimeSpan> EpochTimes => _epochTimes;
    private readonly List<TimeSpan> _epochTimes = [];

    // Off on the processes other than the main one of data-parallel training: one process prints.
    private bool _silent;

    /// <inheritdoc/>
    public override void OnTrainBegin(FitContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _epochTimes.Clear();
        _silent = !context.IsMainProcess;
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(FitContext context)
    {
        _last = null;
        _epochClock.Restart();
    }

    /// <summary>Redraws the bar (at most every 100 ms, and always for the last batch) when live; otherwise only remembers the speed.</summary>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _last = value;
        bool lastBatch = value.BatchesPerEpoch is int n && value.Batch == n - 1;
        if (!_live || _silent || (!lastBatch && _drawn > 0 && _redrawClock.ElapsedMilliseconds < 100)) return;
        _redrawClock.Restart();
        int done = value.Batch + 1;
        var line = new StringBuilder();
        line.Append(Invariant($"epoch {value.Epoch + 1}/{value.Epochs} "));
        line.Append(value.BatchesPerEpoch is int total
            ? "[" + new string('#', BarWidth * Math.Min(done, total) / Math.Max(total, 1)).PadRight(BarWidth, '.') + Invariant($"] {done}/{total}")
            : Invariant($"batch {done}"));
        line.Append(Invariant($" | loss {value.Loss:F4}"));
        foreach (var (name, metric) in value.Metrics) line.Append(Invariant($" | {name} {metric:F4}"));
        line.Append(Invariant($" | {value.SamplesPerSecond:F0} samples/s"));
        if (value.Remaining is TimeSpan r) line.Append(Invariant($" | ETA {r:m\\:ss}"));
        // Spaces cover what a longer previous line left on the terminal.
        int length = line.Length;
        if (_drawn > length) line.Append(' ', _drawn - length);
        _output.Write("\r" + line);
        _output.Flush();
        _drawn = length;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(FitContext context, IReadOnlyDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(logs);
        var elapsed = _epochClock.Elapsed;
        _epochTimes.Add(elapsed);
        if (_silent) return;
        var numbers = string.Join(", ", logs.Where(kv => kv.Key != "lr").Select(kv => Invariant($"{kv.Key} {kv.Value:F4}")));
        string speed = _last is { } p ? Invariant($", {p.SamplesPerSecond:F0} samples/s") : "";
        if (_drawn > 0) _output.Write("\r" + new string(' ', _drawn) + "\r");
        _drawn = 0;
        _output.WriteLine(Invariant($"epoch {context.Epoch + 1}/{context.Epochs}: {numbers} | {elapsed.TotalSeconds:F1} s{speed}"));
        _output.Flush();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
