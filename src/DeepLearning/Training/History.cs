using System.Globalization;
using System.Text;

namespace DeepLearning;

/// <summary>
/// The numbers of each epoch of <c>Trainer.Fit</c> (Keras's <c>History</c>): one column per key
/// (<c>loss</c>, metrics, <c>val_loss</c>, <c>lr</c> …), one row per epoch. A key missing in an epoch reads NaN.
/// </summary>
public sealed class History
{
    private readonly List<int> _epochs = [];
    private readonly Dictionary<string, List<double>> _columns = [];
    private readonly List<string> _keys = [];

    /// <summary>The keys, in the order they first appeared.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The epoch (from 0) of each row.</summary>
    public IReadOnlyList<int> Epochs => _epochs;

    /// <summary>Number of epochs recorded.</summary>
    public int Count => _epochs.Count;

    /// <summary>
    /// The value of <paramref name="key"/> for each epoch. Before any epoch is recorded (<c>Epochs = 0</c>) every key
    /// reads as an empty list, since no key can be known missing yet; afterwards an unknown key is a mistake and throws.
    /// </summary>
    /// <exception cref="KeyNotFoundException">Epochs were recorded, none with this key; the message lists those that were.</exception>
    public IReadOnlyList<double> this[string key] => _columns.TryGetValue(key, out var c) ? c
        : _epochs.Count == 0 ? []
        : throw new KeyNotFoundException($"History: no '{key}' recorded (have: {string.Join(", ", _keys)})");

    /// <summary>The training loss of each epoch (empty when no epoch was recorded).</summary>
    public IReadOnlyList<double> Loss => this["loss"];

    /// <summary>Whether <paramref name="key"/> was recorded.</summary>
    public bool Contains(string key) => _columns.ContainsKey(key);

    /// <summary>Appends an epoch's numbers (used by <c>Trainer.Fit</c> and by custom loops).</summary>
    /// <param name="epoch">The epoch, from 0.</param>
    /// <param name="values">Its numbers by key.</param>
    public void Append(int epoch, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var key in values.Keys)
            if (!_columns.ContainsKey(key))
            {
                if (string.IsNullOrEmpty(key) || key.AsSpan().IndexOfAny(",\"\r\n") >= 0)
                    throw new ArgumentException($"History: key '{key}' is empty or holds a comma, quote or line break", nameof(values));
                _columns[key] = [.. Enumerable.Repeat(double.NaN, _epochs.Count)];
                _keys.Add(key);
            }
        _epochs.Add(epoch);
        foreach (var (key, column) in _columns) column.Add(values.TryGetValue(key, out double v) ? v : double.NaN);
    }

    /// <summary>
    /// Writes the history as CSV: a header <c>epoch,&lt;keys&gt;</c>, then one row per epoch, numbers in invariant
    /// culture with round-trip precision. Written to a temporary file beside <paramref name="path"/> and then moved
    /// over it, so a failure never leaves a half-written file.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    public void SaveCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"History.SaveCsv: folder '{folder}' does not exist (writing '{path}')");
        var text = new StringBuilder();
        text.Append("epoch");
        foreach (var key in _keys) text.Append(',').Append(key);
        text.Append('\n');
        for (int r = 0; r < _epochs.Count; r++)
        {
            text.Append(_epochs[r].ToString(CultureInfo.InvariantCulture));
            foreach (var key in _keys) text.Append(',').Append(_columns[key][r].ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text.ToString(), new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
