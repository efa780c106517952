using System.Globalization;

namespace DeepLearning;

/// <summary>
/// As a <see cref="Callback"/> of <c>Fit</c> (Keras's <c>ModelCheckpoint</c>): saves the run into
/// <see cref="Folder"/> every <c>every</c> epochs as <c>epoch0003-step000000150.safetensors</c> (epoch counted from 1
/// within this <c>Fit</c>, step = <see cref="Optimizer.Iterations"/>, which keeps counting across resumed runs), keeping
/// the last <c>keepLast</c> of them, and, with a <c>monitor</c>, the best epoch so far as <c>best.safetensors</c>.
/// Every file is a full checkpoint for <see cref="Load"/>. In data-parallel training only the main process (rank 0)
/// writes (<see cref="FitContext.IsMainProcess"/>); the others track the same best epoch.
/// </summary>
public sealed partial class Checkpoint : Callback
{
    private readonly int _every;
    private readonly int _keepLast;
    private readonly Monitor? _monitor;
    private readonly DataLoader? _data;
    private readonly Queue<string> _written = new();

    /// <summary>Creates the callback.</summary>
    /// <param name="folder">Where the files go; created if missing.</param>
    /// <param name="every">Save every this many epochs; 0 saves only the best (needs <paramref name="monitor"/>).</param>
    /// <param name="keepLast">Keep only the newest this many periodic files of this run (0 keeps all); <c>best</c> is never deleted.</param>
    /// <param name="monitor">A key of the epoch's numbers (<c>val_loss</c>, <c>val_accuracy</c>) whose best epoch is saved as <c>best.safetensors</c>.</param>
    /// <param name="mode">Whether lower or higher is better for <paramref name="monitor"/>.</param>
    /// <param name="data">The training loader, so the files resume its data order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> or <paramref name="keepLast"/> is negative.</exception>
    /// <exception cref="ArgumentException">Neither periodic nor best saving was asked for, or the folder is empty.</exception>
    public Checkpoint(string folder, int every = 1, int keepLast = 0, string? monitor = null, MonitorMode mode = MonitorMode.Auto, DataLoader? data = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentOutOfRangeException.ThrowIfNegative(every);
        ArgumentOutOfRangeException.ThrowIfNegative(keepLast);
        if (every == 0 && monitor is null)
            throw new ArgumentException("Checkpoint: every = 0 saves only the best epoch, which needs a monitor", nameof(every));
        Folder = Path.GetFullPath(folder);
        _every = every;
        _keepLast = keepLast;
        _monitor = monitor is null ? null : new Monitor("Checkpoint", monitor, mode, 0);
        _data = data;
    }

    /// <summary>The folder the files go to.</summary>
    public string Folder { get; }

    /// <summary>The last periodic file saved, or null before any.</summary>
    public string? LastPath { get; private set; }

    /// <summary>The file of the best epoch (<c>best.safetensors</c>), or null before any.</summary>
    public string? BestPath { get; private set; }

    /// <summary>The epoch (from 0, within this <c>Fit</c>) saved as the best, or −1.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin(FitContext context)
    {
        Directory.CreateDirectory(Folder);
        _monitor?.Reset();
        _written.Clear();
        BestEpoch = -1;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(FitContext context, IReadOnlyDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(logs);
        int epoch = context.Epoch + 1;
        // In data-parallel training every process holds the same weights: the main one writes, the others keep count.
        bool write = context.IsMainProcess;
        if (write && _every > 0 && epoch % _every == 0)
        {
            var path = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"epoch{epoch:D4}-step{context.Optimizer.Iterations:D9}.safetensors"));
            Save(path, context.Model, context.Optimizer, _data);
            LastPath = path;
            _written.Enqueue(path);
            while (_keepLast > 0 && _written.Count > _keepLast) File.Delete(_written.Dequeue());
        }
        if (_monitor is not null && _monitor.Improved(_monitor.Read(logs)))
        {
            BestPath = Path.Combine(Folder, "best.safetensors");
            if (write) Save(BestPath, context.Model, context.Optimizer, _data);
            BestEpoch = context.Epoch;
        }
    }
}
