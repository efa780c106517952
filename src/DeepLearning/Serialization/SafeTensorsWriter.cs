using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DeepLearning;

/// <summary>Writes tensors in the safetensors format, as F32, in the order given (see <see cref="SafeTensorsHeader"/>).</summary>
internal static class SafeTensorsWriter
{
    /// <summary>
    /// Writes the header (names, shapes, offsets, then <paramref name="metadata"/> as <c>__metadata__</c>) and each
    /// tensor's elements, downloaded once per tensor. The header is padded with spaces to a multiple of 8 bytes, as the
    /// reference writer does, so the data area is aligned.
    /// </summary>
    /// <exception cref="ArgumentException">Two tensors share a name, or a name is empty or <c>__metadata__</c>.</exception>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var header = Header(tensors, metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        int largest = tensors.Count == 0 ? 0 : tensors.Max(t => t.Value.Length);
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(largest, 1));
        try
        {
            foreach (var (_, tensor) in tensors)
            {
                var values = buffer.AsSpan(0, tensor.Length);
                tensor.CopyTo(values);
                if (!BitConverter.IsLittleEndian)
                    BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(values), MemoryMarshal.Cast<float, int>(values));
                stream.Write(MemoryMarshal.AsBytes(values));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static byte[] Header(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (string.IsNullOrEmpty(name) || name == "__metadata__")
                    throw new ArgumentException($"safetensors: '{name}' cannot name a tensor", nameof(tensors));
                if (!names.Add(name)) throw new ArgumentException($"safetensors: two tensors are named '{name}'", nameof(tensors));
                ArgumentNullException.ThrowIfNull(tensor);
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                for (int d = 0; d < tensor.Rank; d++) w.WriteNumberValue(tensor.Shape[d]);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += (long)tensor.Length * sizeof(float);
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int padded = (int)((json.Length + 7) / 8 * 8);
        var header = new byte[padded];
        json.ToArray().CopyTo(header, 0);
        header.AsSpan((int)json.Length).Fill((byte)' ');
        return header;
    }
}
