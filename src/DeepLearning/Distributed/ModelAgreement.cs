using System.Text;

namespace DeepLearning.Distributed;

/// <summary>
/// Checks, collectively, that every rank holds a model of the same parameter and buffer names and shapes, and names the
/// first difference on every rank. Only float tensors travel, so each value is sent as 16-bit pieces (exact in a float)
/// and compared after a broadcast, never summed: a sum of digests could match by chance.
/// </summary>
internal static class ModelAgreement
{
    private const int MaxDims = 8;
    private const int MaxName = 64;
    // present, kind, rank, dims as (high, low) 16-bit halves, name length, name characters.
    private const int EntryFloats = 3 + 2 * MaxDims + 1 + MaxName;

    private readonly record struct Entry(bool IsBuffer, string Name, Shape Shape)
    {
        public override string ToString() => $"{(IsBuffer ? "buffer" : "parameter")} '{Name}' {Shape}";
    }

    /// <summary>Returns when all ranks agree; otherwise throws the same message on every rank.</summary>
    /// <exception cref="InvalidOperationException">The models differ; the message names the first differing entry on rank 0 and on the first rank that differs.</exception>
    public static void Verify(Layer model, ICommunicator comm, Device device, string owner)
    {
        var entries = Entries(model);
        var count = new float[] { entries.Count };
        comm.BroadcastArray(count, 0, device);
        int rootCount = (int)count[0];

        // Rank 0's digests to every rank: each compares them with its own.
        var digests = new float[rootCount * 4];
        if (comm.Rank == 0)
            for (int i = 0; i < entries.Count; i++) Pieces(Digest(entries[i]), digests.AsSpan(4 * i, 4));
        comm.BroadcastArray(digests, 0, device);
        int firstDiff = -1;
        Span<float> mine = stackalloc float[4];
        for (int i = 0; i < Math.Min(rootCount, entries.Count) && firstDiff < 0; i++)
        {
            Pieces(Digest(entries[i]), mine);
            if (!mine.SequenceEqual(digests.AsSpan(4 * i, 4))) firstDiff = i;
        }
        if (firstDiff < 0 && entries.Count != rootCount) firstDiff = Math.Min(entries.Count, rootCount);

        // Every rank learns every rank's first difference (each writes only its own slot, so the sum is exact).
        var slots = new float[comm.WorldSize];
        slots[comm.Rank] = firstDiff + 1;
        comm.AllReduceArray(slots, ReduceOperation.Sum, device);
        int at = int.MaxValue, other = -1;
        for (int r = 0; r < slots.Length; r++)
            if (slots[r] > 0 && (int)slots[r] - 1 < at)
            {
                at = (int)slots[r] - 1;
                other = r;
            }
        if (other < 0) return;

        string theirs = Exchange(entries, at, 0, comm, device);
        string mineToo = Exchange(entries, at, other, comm, device);
        throw new InvalidOperationException(
            $"{owner}: the models differ between ranks at entry {at} of the parameters then buffers (in NamedParameters, NamedBuffers order): "
            + $"rank 0 has {theirs}, rank {other} has {mineToo}; every rank must build the same model");
    }

    private static List<Entry> Entries(Layer model) =>
    [
        .. model.NamedParameters().Select(p => new Entry(false, p.Key, p.Value.Shape)),
        .. model.NamedBuffers().Select(b => new Entry(true, b.Key, b.Value.Shape)),
    ];

    /// <summary>Rank <paramref name="root"/>'s entry <paramref name="index"/>, described, on every rank.</summary>
    private static string Exchange(List<Entry> entries, int index, int root, ICommunicator comm, Device device)
    {
        var data = new float[EntryFloats];
        if (comm.Rank == root && index < entries.Count) Encode(entries[index], data);
        comm.BroadcastArray(data, root, device);
        return Decode(data) is { } e ? e.ToString() : $"no entry {index} (fewer parameters and buffers)";
    }

    private static void Encode(Entry e, Span<float> data)
    {
        data[0] = 1;
        data[1] = e.IsBuffer ? 1 : 0;
        int rank = Math.Min(e.Shape.Rank, MaxDims);
        data[2] = rank;
        for (int d = 0; d < rank; d++)
        {
            data[3 + 2 * d] = (uint)e.Shape[d] >> 16;
            data[4 + 2 * d] = e.Shape[d] & 0xFFFF;
        }
        string name = e.Name.Length <= MaxName ? e.Name : e.Name[..(MaxName - 1)] + "…";
        data[3 + 2 * MaxDims] = name.Length;
        for (int c = 0; c < name.Length; c++) data[4 + 2 * MaxDims + c] = name[c];
    }

    private static Entry? Decode(ReadOnlySpan<float> data)
    {
        if (data[0] == 0) return null;
        var dims = new int[(int)data[2]];
        for (int d = 0; d < dims.Length; d++) dims[d] = ((int)data[3 + 2 * d] << 16) | (int)data[4 + 2 * d];
        var name = new StringBuilder();
        for (int c = 0; c < (int)data[3 + 2 * MaxDims]; c++) name.Append((char)data[4 + 2 * MaxDims + c]);
        return new Entry(data[1] != 0, name.ToString(), new Shape(dims));
    }

    // FNV-1a over the kind, name and dimensions.
    private static ulong Digest(Entry e)
    {
        ulong h = 14695981039346656037UL;
        void Add(uint v)
        {
            h = (h ^ v) * 1099511628211UL;
        }
        Add(e.IsBuffer ? 1u : 0u);
        foreach (char c in e.Name) Add(c);
        Add((uint)e.Shape.Rank);
        for (int d = 0; d < e.Shape.Rank; d++) Add((uint)e.Shape[d]);
        return h;
    }

    private static void Pieces(ulong v, Span<float> into)
    {
        for (int k = 0; k < 4; k++) into[k] = (ushort)(v >> (16 * k));
    }
}
