namespace DeepLearning.Distributed;

public static partial class Communicator
{
    /// <summary>
    /// Checks that every rank holds the same parameters — the same names and shapes in the same order — and, if not,
    /// throws on every rank naming the first difference (rank 0's parameter against the differing rank's), instead of
    /// letting mismatched all-reduces mix unrelated values or hang. Data-parallel training calls it once at the start.
    /// </summary>
    /// <remarks>
    /// Costs one all-reduce of 4 floats per rank when the models agree (a 64-bit hash of each rank's list, gathered);
    /// on a mismatch, rank 0's list is broadcast so each rank can find its first difference. A collective: every rank
    /// must call it.
    /// </remarks>
    /// <param name="communicator">The group.</param>
    /// <param name="parameters">This rank's parameters in order: name (e.g. <c>0.weight</c>) and shape.</param>
    /// <exception cref="InvalidOperationException">Some rank's parameters differ from rank 0's.</exception>
    public static void VerifySameShapes(this ICommunicator communicator, IReadOnlyList<(string Name, int[] Shape)> parameters)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(parameters);
        int size = communicator.WorldSize, rank = communicator.Rank;
        if (size == 1) return;

        // An all-gather built from the sum all-reduce: each rank fills its own slot. 16-bit pieces are exact in a float.
        var gathered = new float[4 * size];
        ulong hash = Hash(parameters);
        for (int i = 0; i < 4; i++) gathered[4 * rank + i] = (ushort)(hash >> (16 * i));
        AllReduceArray(communicator, gathered);
        var differing = new List<int>();
        for (int r = 1; r < size; r++)
            if (!gathered.AsSpan(4 * r, 4).SequenceEqual(gathered.AsSpan(0, 4))) differing.Add(r);
        if (differing.Count == 0) return;

        // Every rank knows there is a mismatch, so every rank joins the broadcast of rank 0's list.
        var length = new float[] { rank == 0 ? Encode(parameters).Length : 0 };
        BroadcastArray(communicator, length, 0);
        var rootList = rank == 0 ? Encode(parameters) : new float[(int)length[0]];
        BroadcastArray(communicator, rootList, 0);
        var reference = Decode(rootList);

        var firstDifference = new float[size];
        int mine = FirstDifference(reference, parameters);
        firstDifference[rank] = mine + 1;
        AllReduceArray(communicator, firstDifference);

        string lead = $"VerifySameShapes: ranks with different models (rank 0 has {reference.Count} parameters)";
        if (mine >= 0)
            throw new InvalidOperationException($"{lead}: at parameter #{mine}, rank 0 has {Describe(reference, mine)} but this rank ({rank}) has {Describe(parameters, mine)}");
        var where = differing.Select(r => $"rank {r} differs first at parameter #{(int)firstDifference[r] - 1} (rank 0 has {Describe(reference, (int)firstDifference[r] - 1)})");
        throw new InvalidOperationException($"{lead}: {string.Join("; ", where)}");
    }

    private static string Describe(IReadOnlyList<(string Name, int[] Shape)> list, int index) =>
        index < list.Count ? $"'{list[index].Name}' [{string.Join(", ", list[index].Shape)}]" : $"no parameter there (only {list.Count})";

    /// <summary>The index of the first parameter where the lists differ, or -1 when they agree.</summary>
    private static int FirstDifference(IReadOnlyList<(string Name, int[] Shape)> a, IReadOnlyList<(string Name, int[] Shape)> b)
    {
        int n = Math.Min(a.Count, b.Count);
        for (int i = 0; i < n; i++)
            if (a[i].Name != b[i].Name || !a[i].Shape.AsSpan().SequenceEqual(b[i].Shape)) return i;
        return a.Count == b.Count ? -1 : n;
    }

    /// <summary>FNV-1a over the count, each name's characters and each shape's rank and sizes.</summary>
    private static ulong Hash(IReadOnlyList<(string Name, int[] Shape)> parameters)
    {
        ulong h = 14695981039346656037UL;
        void Add(int v)
        {
            h ^= (uint)v;
            h *= 1099511628211UL;
        }
        Add(parameters.Count);
        foreach (var (name, shape) in parameters)
        {
            Add(name.Length);
            foreach (char c in name) Add(c);
            Add(shape.Length);
            foreach (int d in shape) Add(d);
        }
        return h;
    }

    // A parameter list as floats for a broadcast: per parameter its name length, UTF-16 units, rank and sizes. Units
    // and sizes below 2^24 are exact in a float; larger sizes are clamped, which can only hide a difference past 16M.
    private static float[] Encode(IReadOnlyList<(string Name, int[] Shape)> parameters)
    {
        var list = new List<float>();
        foreach (var (name, shape) in parameters)
        {
            list.Add(name.Length);
            foreach (char c in name) list.Add(c);
            list.Add(shape.Length);
            foreach (int d in shape) list.Add(Math.Min(d, 1 << 24));
        }
        return [.. list];
    }

    private static List<(string Name, int[] Shape)> Decode(float[] data)
    {
        var list = new List<(string, int[])>();
        for (int i = 0; i < data.Length;)
        {
            int nameLength = (int)data[i++];
            var name = new string(data.AsSpan(i, nameLength).ToArray().Select(f => (char)(int)f).ToArray());
            i += nameLength;
            var shape = new int[(int)data[i++]];
            for (int d = 0; d < shape.Length; d++) shape[d] = (int)data[i++];
            list.Add((name, shape));
        }
        return list;
    }

    private static void AllReduceArray(ICommunicator communicator, float[] values)
    {
        using var t = Tensor.FromArray(values);
        communicator.AllReduce(t, ReduceOperation.Sum);
        t.CopyTo(values);
    }

    private static void BroadcastArray(ICommunicator communicator, float[] values, int root)
    {
        if (values.Length == 0) return;
        using var t = Tensor.FromArray(values);
        communicator.Broadcast(t, root);
        t.CopyTo(values);
    }
}
