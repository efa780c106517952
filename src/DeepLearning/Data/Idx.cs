using System.Buffers.Binary;
using System.IO.Compression;

namespace DeepLearning;

/// <summary>
/// Reader of the IDX format of the MNIST files (LeCun et al.): a big-endian header — magic number
/// <c>0x00000803</c> (unsigned bytes, 3 dimensions) for images or <c>0x00000801</c> (1 dimension) for labels, then each
/// dimension as a big-endian int32 — followed by the bytes in row-major order. Files may be gzip-compressed (detected by
/// the gzip magic <c>1f 8b</c>, whatever the name).
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an IDX file of unsigned bytes with 3 dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with 1 dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>
    /// Reads an image file: a tensor of shape <c>[N, rows, columns]</c> whose elements are the pixel bytes divided by
    /// 255, in [0, 1].
    /// </summary>
    /// <param name="path">The IDX file, raw or gzip.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, a zero dimension, a truncated or oversized file, or
    /// broken gzip; the message names the file and what was expected.</exception>
    public static Tensor ReadImages(string path)
    {
        var (data, start, dims) = Read(path, ImagesMagic, "images");
        int n = dims[0], pixels = dims[1] * dims[2];
        var values = new float[(long)n * pixels];
        var bytes = data.AsSpan(start, values.Length);
        // A table makes each value exactly byte / 255 (multiplying by 1/255 would round differently) at table-lookup cost.
        Span<float> table = stackalloc float[256];
        for (int b = 0; b < 256; b++) table[b] = b / 255f;
        for (int i = 0; i < values.Length; i++) values[i] = table[bytes[i]];
        return Tensor.FromSpan(values, new Shape(n, dims[1], dims[2]));
    }

    /// <summary>Reads a label file: one integer (0 … 255) per sample.</summary>
    /// <param name="path">The IDX file, raw or gzip.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, a truncated or oversized file, or broken gzip; the
    /// message names the file and what was expected.</exception>
    public static int[] ReadLabels(string path)
    {
        var (data, start, dims) = Read(path, LabelsMagic, "labels");
        var labels = new int[dims[0]];
        for (int i = 0; i < labels.Length; i++) labels[i] = data[start + i];
        return labels;
    }

    /// <summary>Reads and checks a whole IDX file: its bytes, where the payload starts and the dimensions.</summary>
    private static (byte[] Data, int Start, int[] Dims) Read(string path, int magic, string kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX: {kind} file '{path}' does not exist", path);
        byte[] data = File.ReadAllBytes(path);
        if (data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
                using var raw = new MemoryStream();
                gz.CopyTo(raw);
                data = raw.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"IDX: '{path}' starts like gzip but does not decompress: {e.Message}", e);
            }
        }
        int rank = magic & 0xff;
        int header = 4 + 4 * rank;
        if (data.Length < 4)
            throw new InvalidDataException($"IDX: '{path}' is truncated: {data.Length} bytes, expected the magic number 0x{magic:x8} for {kind}");
        int found = BinaryPrimitives.ReadInt32BigEndian(data);
        if (found != magic)
            throw new InvalidDataException($"IDX: '{path}' has magic number 0x{found:x8}, expected 0x{magic:x8} for {kind}");
        if (data.Length < header)
            throw new InvalidDataException($"IDX: '{path}' is truncated: {data.Length} bytes, an IDX {kind} header needs {header}");
        var dims = new int[rank];
        long payload = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4 + 4 * d));
            if (dims[d] < 0 || (d > 0 && dims[d] == 0))
                throw new InvalidDataException($"IDX: '{path}' has dimension {d} of size {dims[d]}, expected a positive size");
            payload *= dims[d];
        }
        if (payload > Array.MaxLength)
            throw new InvalidDataException($"IDX: '{path}' declares {payload} bytes of {kind}, more than an array can hold");
        long actual = data.Length - header;
        if (actual < payload)
            throw new InvalidDataException($"IDX: '{path}' is truncated: header [{string.Join(", ", dims)}] needs {payload} bytes of {kind}, the file has {actual}");
        if (actual > payload)
            throw new InvalidDataException($"IDX: '{path}' has {actual - payload} bytes after the {payload} bytes of {kind} its header [{string.Join(", ", dims)}] declares");
        return (data, header, dims);
    }
}
