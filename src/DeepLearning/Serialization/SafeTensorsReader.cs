using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DeepLearning;

/// <summary>One tensor of a safetensors header: its element type, shape and byte range inside the data area.</summary>
internal sealed record SafeTensorEntry(string Name, SafeTensorDType DType, int[] Dims, long Begin, long End)
{
    public Shape Shape => new(Dims);
}

/// <summary>The element types of the safetensors format this reader knows, with their sizes; all convert to float.</summary>
internal enum SafeTensorDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL }

/// <summary>
/// A validated safetensors header (<see href="https://github.com/huggingface/safetensors"/>): an 8-byte little-endian
/// header length n, n bytes of UTF-8 JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin,
/// end]}</c> (offsets relative to the data area) plus an optional <c>"__metadata__"</c> map of strings, then the data
/// area of raw little-endian elements.
/// </summary>
/// <remarks>
/// Everything a hostile file could use to make the reader allocate or seek wildly is checked here, before any tensor's
/// bytes are read: the header length against the file and <see cref="MaxHeaderBytes"/>, the JSON's shape and depth,
/// the dtypes, that every byte count equals shape × dtype size without overflow, and that the ranges cover the data
/// area in order without gaps or overlaps (as the reference implementation requires). Allocations that follow are
/// then bounded by the file's real length. Every problem is an <see cref="InvalidDataException"/> naming the source.
/// </remarks>
internal sealed class SafeTensorsHeader
{
    /// <summary>The largest header accepted (the reference implementation's limit, 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int MaxRank = 16;

    private SafeTensorsHeader(string source, long dataStart, List<SafeTensorEntry> entries, Dictionary<string, string> metadata)
    {
        Source = source;
        DataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
        ByName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>What the bytes came from (a path), for messages.</summary>
    public string Source { get; }

    /// <summary>Offset in the stream of the data area (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>The tensors in data order.</summary>
    public IReadOnlyList<SafeTensorEntry> Entries { get; }

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> ByName { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static int Size(SafeTensorDType t) => t switch
    {
        SafeTensorDType.F64 or SafeTensorDType.I64 => 8,
        SafeTensorDType.F32 or SafeTensorDType.I32 => 4,
        SafeTensorDType.F16 or SafeTensorDType.BF16 or SafeTensorDType.I16 => 2,
        _ => 1,
    };

    /// <summary>Reads and validates the header of a seekable stream positioned anywhere; the data is not read.</summary>
    /// <exception cref="InvalidDataException">The header is malformed; the message names <paramref name="source"/> and the problem.</exception>
    public static SafeTensorsHeader Read(Stream stream, string source)
    {
        if (!stream.CanSeek || !stream.CanRead)
            throw new ArgumentException($"safetensors: the stream of '{source}' must be readable and seekable", nameof(stream));
        long length = stream.Length;
        if (length < 8) throw Bad(source, $"is {length} bytes long; a safetensors file starts with an 8-byte header length");
        stream.Position = 0;
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n < 2) throw Bad(source, $"declares a header of {n} bytes; the smallest header, {{}}, has 2");
        if (n > MaxHeaderBytes) throw Bad(source, $"declares a header of {n} bytes, more than the {MaxHeaderBytes} allowed");
        if ((long)n > length - 8) throw Bad(source, $"is truncated: its header declares {n} bytes but only {length - 8} follow the length");
        var json = new byte[(int)n];
        stream.ReadExactly(json);
        long dataStart = 8 + (long)n;
        List<SafeTensorEntry> entries;
        Dictionary<string, string> metadata;
        try
        {
            (entries, metadata) = Parse(json, source, length - dataStart);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reports some malformed strings (escaped lone surrogates) only when they are read.
            throw Bad(source, $"has a malformed header: {e.Message}", e);
        }
        return new SafeTensorsHeader(source, dataStart, entries, metadata);
    }

    /// <summary>Reads one tensor's elements, converted to float, into <paramref name="destination"/> (its element count).</summary>
    /// <exception cref="InvalidDataException">The stream ended early.</exception>
    public void ReadTensor(Stream stream, SafeTensorEntry entry, Span<float> destination)
    {
        stream.Position = DataStart + entry.Begin;
        int bytes = checked((int)(entry.End - entry.Begin));
        try
        {
            if (entry.DType == SafeTensorDType.F32)
            {
                var raw = MemoryMarshal.AsBytes(destination);
                stream.ReadExactly(raw);
                if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(destination), MemoryMarshal.Cast<float, int>(destination));
                return;
            }
            var buffer = new byte[bytes];
            stream.ReadExactly(buffer);
            Convert(entry.DType, buffer, destination);
        }
        catch (EndOfStreamException e)
        {
            throw Bad(Source, $"ends inside tensor '{entry.Name}' (bytes {entry.Begin}–{entry.End} of the data area)", e);
        }
    }

    private static void Convert(SafeTensorDType type, ReadOnlySpan<byte> b, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++)
            d[i] = type switch
            {
                SafeTensorDType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(b[(8 * i)..]),
                SafeTensorDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * i)..]),
                // bfloat16 is the top half of a float32.
                SafeTensorDType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]) << 16),
                SafeTensorDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b[(8 * i)..]),
                SafeTensorDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..]),
                SafeTensorDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(b[(2 * i)..]),
                SafeTensorDType.I8 => (sbyte)b[i],
                SafeTensorDType.U8 => b[i],
                SafeTensorDType.BOOL => b[i] != 0 ? 1f : 0f,
                _ => throw new InvalidOperationException($"safetensors: no conversion for {type}"),
            };
    }

    private static (List<SafeTensorEntry>, Dictionary<string, string>) Parse(byte[] json, string source, long dataLength)
    {
        // Invalid UTF-8 in a name would only surface later, when the name is read, as another exception type.
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw Bad(source, "has a header that is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw Bad(source, $"has a header that is not valid JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw Bad(source, $"has a header that is not valid UTF-8 JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(source, $"has a header that is a JSON {root.ValueKind}, expected an object");
            var entries = new List<SafeTensorEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                string name = property.Name;
                if (!names.Add(name)) throw Bad(source, $"names '{name}' twice in its header");
                if (name == "__metadata__") ReadMetadata(property.Value, source, metadata);
                else if (name.Length == 0) throw Bad(source, "has a tensor with an empty name");
                else entries.Add(ReadEntry(name, property.Value, source));
            }
            entries.Sort((a, b) => a.Begin.CompareTo(b.Begin) is var c && c != 0 ? c : a.End.CompareTo(b.End));
            long expected = 0;
            foreach (var e in entries)
            {
                if (e.Begin != expected)
                    throw Bad(source, e.Begin > expected
                        ? $"leaves bytes {expected}–{e.Begin} of its data area unused before tensor '{e.Name}'"
                        : $"has tensor '{e.Name}' (bytes {e.Begin}–{e.End}) overlapping the tensor before it (which ends at {expected})");
                expected = e.End;
                if (expected > dataLength)
                    throw Bad(source, $"is truncated: tensor '{e.Name}' needs bytes {e.Begin}–{e.End} of the data area, which has {dataLength}");
            }
            if (expected != dataLength)
                throw Bad(source, $"has {dataLength - expected} bytes after its last tensor (the data area is {dataLength} bytes, the tensors cover {expected})");
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, string source, Dictionary<string, string> into)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Bad(source, $"has __metadata__ that is a JSON {value.ValueKind}, expected an object of strings");
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String) throw Bad(source, $"has __metadata__ '{p.Name}' that is a JSON {p.Value.ValueKind}, expected a string");
            if (!into.TryAdd(p.Name, p.Value.GetString()!)) throw Bad(source, $"names __metadata__ '{p.Name}' twice");
        }
    }

    private static SafeTensorEntry ReadEntry(string name, JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Bad(source, $"describes tensor '{name}' by a JSON {value.ValueKind}, expected an object");
        if (!value.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String)
            throw Bad(source, $"gives tensor '{name}' no dtype string");
        string dtypeText = dtypeJson.GetString()!;
        if (!DTypes.TryGetValue(dtypeText, out var dtype))
            throw Bad(source, $"gives tensor '{name}' dtype '{dtypeText}'; known: {string.Join(", ", Enum.GetNames<SafeTensorDType>())}");
        if (!value.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array)
            throw Bad(source, $"gives tensor '{name}' no shape array");
        if (shapeJson.GetArrayLength() > MaxRank) throw Bad(source, $"gives tensor '{name}' {shapeJson.GetArrayLength()} dimensions, more than {MaxRank}");
        var dims = new int[shapeJson.GetArrayLength()];
        long count = 1;
        int k = 0;
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int size) || size < 0)
                throw Bad(source, $"gives tensor '{name}' dimension {k} = {d.GetRawText()}, expected an integer in [0, {int.MaxValue}]");
            dims[k++] = size;
            count *= size;
            if (count > Array.MaxLength) throw Bad(source, $"gives tensor '{name}' shape {shapeJson.GetRawText()} with more than {Array.MaxLength} elements");
        }
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Bad(source, $"gives tensor '{name}' no data_offsets [begin, end]");
        long[] range = new long[2];
        k = 0;
        foreach (var o in offsets.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long v) || v < 0)
                throw Bad(source, $"gives tensor '{name}' data offset {o.GetRawText()}, expected a non-negative integer");
            range[k++] = v;
        }
        if (range[1] < range[0]) throw Bad(source, $"gives tensor '{name}' data_offsets [{range[0]}, {range[1]}] that end before they begin");
        long bytes = count * Size(dtype);
        if (range[1] - range[0] != bytes)
            throw Bad(source, $"gives tensor '{name}' ({dtype} [{string.Join(", ", dims)}], {bytes} bytes) data_offsets [{range[0]}, {range[1]}] spanning {range[1] - range[0]} bytes");
        return new SafeTensorEntry(name, dtype, dims, range[0], range[1]);
    }

    // By exact name: Enum.TryParse would also accept "1" and "F32, F16".
    private static readonly Dictionary<string, SafeTensorDType> DTypes =
        Enum.GetValues<SafeTensorDType>().ToDictionary(t => t.ToString(), StringComparer.Ordinal);

    private static InvalidDataException Bad(string source, string problem, Exception? inner = null) =>
        new($"safetensors: '{source}' {problem}", inner);
}
