using System.Globalization;

namespace DeepLearning;

/// <summary>
/// Reader of numeric CSV files into tensors: one row per line, fields separated by one character, numbers in the
/// invariant culture (<c>1.5</c>, <c>-2e-3</c>, <c>NaN</c>, <c>Infinity</c>). Blank lines are skipped; quoting is not supported.
/// </summary>
/// <remarks>
/// A number too large for float32 (<c>1e400</c>, <c>-4e38</c>) is an error rather than ±∞: infinity is read only where
/// the file spells it (<c>Infinity</c>, <c>-Infinity</c>), never from overflow. A number too small to represent becomes 0 (or
/// a subnormal), as every float parser does.
/// </remarks>
public static class Csv
{
    /// <summary>Reads a numeric CSV file as a tensor of shape <c>[rows, columns]</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="hasHeader">Whether the first non-blank line holds column names (skipped).</param>
    /// <param name="separator">The field separator.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A field is not a number or overflows float32 (the message names the file,
    /// line, column and text), a line has a different number of fields than the first (ragged rows), or there are no data rows.</exception>
    public static Tensor Read(string path, bool hasHeader = false, char separator = ',')
    {
        var (values, rows, cols, _) = Parse(path, hasHeader, separator);
        return Tensor.FromSpan(values, new Shape(rows, cols));
    }

    /// <summary>The column names of a CSV file with a header line.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file has no non-blank line.</exception>
    public static string[] ReadHeader(string path, char separator = ',')
    {
        CheckExists(path);
        foreach (var line in File.ReadLines(path))
            if (!string.IsNullOrWhiteSpace(line))
                return line.Split(separator).Select(s => s.Trim()).ToArray();
        throw new InvalidDataException($"Csv: '{path}' has no header line");
    }

    /// <summary>
    /// Reads a CSV file and separates one column as the regression target: X of <c>[rows, columns − 1]</c> (the other
    /// columns in order) and Y of <c>[rows, 1]</c>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="targetColumn">The target's column index, counted from 0; negative counts from the end (−1 is the last).</param>
    /// <param name="hasHeader">Whether the first non-blank line holds column names (skipped).</param>
    /// <param name="separator">The field separator.</param>
    /// <exception cref="ArgumentOutOfRangeException">The column is outside the file's columns.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Read"/>.</exception>
    public static (Tensor X, Tensor Y) ReadWithTarget(string path, int targetColumn, bool hasHeader = false, char separator = ',')
    {
        var (values, rows, cols, _) = Parse(path, hasHeader, separator);
        int t = Column(path, targetColumn, cols);
        var y = new float[rows];
        for (int r = 0; r < rows; r++) y[r] = values[r * cols + t];
        return (Others(values, rows, cols, t), Tensor.FromSpan(y, new Shape(rows, 1)));
    }

    /// <summary>
    /// Reads a CSV file and separates one column as class labels: X of <c>[rows, columns − 1]</c> and one non-negative
    /// integer label per row.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="labelColumn">The label's column index, counted from 0; negative counts from the end (−1 is the last).</param>
    /// <param name="hasHeader">Whether the first non-blank line holds column names (skipped).</param>
    /// <param name="separator">The field separator.</param>
    /// <exception cref="ArgumentOutOfRangeException">The column is outside the file's columns.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Read"/>, or a label that is not a non-negative integer
    /// (the message names the file, line and column).</exception>
    public static (Tensor X, int[] Labels) ReadLabeled(string path, int labelColumn, bool hasHeader = false, char separator = ',')
    {
        var (values, rows, cols, lines) = Parse(path, hasHeader, separator);
        int t = Column(path, labelColumn, cols);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            float v = values[r * cols + t];
            if (!(v >= 0 && v <= int.MaxValue && v == MathF.Floor(v)))
                throw new InvalidDataException($"Csv: '{path}' line {lines[r]}, column {t + 1}: label {v.ToString(CultureInfo.InvariantCulture)} is not a non-negative integer");
            labels[r] = (int)v;
        }
        return (Others(values, rows, cols, t), labels);
    }

    // The table without column t, as a [rows, cols − 1] tensor.
    private static Tensor Others(float[] values, int rows, int cols, int t)
    {
        var x = new float[(long)rows * (cols - 1)];
        for (int r = 0; r < rows; r++)
        {
            var row = values.AsSpan(r * cols, cols);
            row[..t].CopyTo(x.AsSpan(r * (cols - 1)));
            row[(t + 1)..].CopyTo(x.AsSpan(r * (cols - 1) + t));
        }
        return Tensor.FromSpan(x, new Shape(rows, cols - 1));
    }

    private static int Column(string path, int column, int cols)
    {
        int c = column < 0 ? column + cols : column;
        if (c < 0 || c >= cols)
            throw new ArgumentOutOfRangeException(nameof(column), $"Csv: column {column} is outside the {cols} columns of '{path}'");
        return c;
    }

    private static void CheckExists(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Csv: file '{path}' does not exist", path);
    }

    /// <summary>The values row-major, the row and column counts, and each row's 1-based line number for messages.</summary>
    private static (float[] Values, int Rows, int Cols, List<int> Lines) Parse(string path, bool hasHeader, char separator)
    {
        CheckExists(path);
        var values = new List<float>();
        var lines = new List<int>();
        int cols = -1, firstLine = 0, lineNo = 0;
        bool headerPending = hasHeader;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (headerPending)
            {
                headerPending = false;
                continue;
            }
            int fields = 0;
            foreach (var range in line.AsSpan().Split(separator))
            {
                var text = line.AsSpan(range).Trim();
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new InvalidDataException($"Csv: '{path}' line {lineNo}, column {fields + 1}: '{text}' is not a number");
                // float.TryParse turns overflow into ±∞; an infinity spelled with digits is an overflow, not a value.
                if (float.IsInfinity(v) && text.IndexOfAnyInRange('0', '9') >= 0)
                    throw new InvalidDataException($"Csv: '{path}' line {lineNo}, column {fields + 1}: '{text}' is outside the float32 range (±3.4e38)");
                values.Add(v);
                fields++;
            }
            if (cols < 0)
            {
                cols = fields;
                firstLine = lineNo;
            }
            else if (fields != cols)
                throw new InvalidDataException($"Csv: '{path}' line {lineNo} has {fields} fields, line {firstLine} has {cols} (ragged rows)");
            lines.Add(lineNo);
        }
        if (cols < 0) throw new InvalidDataException($"Csv: '{path}' has no data rows");
        return (values.ToArray(), lines.Count, cols, lines);
    }
}
