namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// Up to <see cref="MaxRank"/> axes of a (broadcast) strided view, innermost first, passed to kernels by value: ILGPU
/// kernels take no arrays from the host without a device copy, so shapes and strides travel as fields. Axes of
/// length 1 are dropped and axes that continue contiguously in every operand are merged on the host first, so
/// most calls reach the kernel with one or two axes.
/// </summary>
internal struct StridedLayout
{
    public const int MaxRank = 8;
    public int Rank;
    public int D0, D1, D2, D3, D4, D5, D6, D7;
    public int A0, A1, A2, A3, A4, A5, A6, A7;
    public int B0, B1, B2, B3, B4, B5, B6, B7;

    /// <summary>Coalesces the axes of <paramref name="shape"/> for operands with strides <paramref name="a"/> and <paramref name="b"/> (b may be empty).</summary>
    public static StridedLayout Create(string op, ReadOnlySpan<int> shape, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        Span<int> dims = stackalloc int[shape.Length];
        Span<int> sa = stackalloc int[shape.Length];
        Span<int> sb = stackalloc int[shape.Length];
        bool hasB = !b.IsEmpty;
        int k = 0;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            int n = shape[d];
            if (n == 1) continue;
            int bs = hasB ? b[d] : 0;
            if (k > 0 && a[d] == sa[k - 1] * dims[k - 1] && bs == sb[k - 1] * dims[k - 1]) dims[k - 1] *= n;
            else
            {
                dims[k] = n;
                sa[k] = a[d];
                sb[k] = bs;
                k++;
            }
        }
        if (k > MaxRank)
            throw new NotSupportedException($"{op}: {k} axes remain after merging contiguous ones; the GPU kernels take at most {MaxRank}");
        var l = new StridedLayout { Rank = k };
        for (int d = 0; d < k; d++) l.Set(d, dims[d], sa[d], sb[d]);
        return l;
    }

    private void Set(int d, int n, int a, int b)
    {
        switch (d)
        {
            case 0: D0 = n; A0 = a; B0 = b; break;
            case 1: D1 = n; A1 = a; B1 = b; break;
            case 2: D2 = n; A2 = a; B2 = b; break;
            case 3: D3 = n; A3 = a; B3 = b; break;
            case 4: D4 = n; A4 = a; B4 = b; break;
            case 5: D5 = n; A5 = a; B5 = b; break;
            case 6: D6 = n; A6 = a; B6 = b; break;
            default: D7 = n; A7 = a; B7 = b; break;
        }
    }

    /// <summary>The offsets into both operands of output element <paramref name="index"/> (kernel code: unrolled, no arrays).</summary>
    public readonly void Offsets(long index, out long a, out long b)
    {
        long r = index;
        a = 0;
        b = 0;
        if (Rank > 0) Step(ref r, D0, A0, B0, ref a, ref b);
        if (Rank > 1) Step(ref r, D1, A1, B1, ref a, ref b);
        if (Rank > 2) Step(ref r, D2, A2, B2, ref a, ref b);
        if (Rank > 3) Step(ref r, D3, A3, B3, ref a, ref b);
        if (Rank > 4) Step(ref r, D4, A4, B4, ref a, ref b);
        if (Rank > 5) Step(ref r, D5, A5, B5, ref a, ref b);
        if (Rank > 6) Step(ref r, D6, A6, B6, ref a, ref b);
        if (Rank > 7) Step(ref r, D7, A7, B7, ref a, ref b);
    }

    private static void Step(ref long r, int n, int sa, int sb, ref long a, ref long b)
    {
        long q = r % n;
        r /= n;
        a += q * sa;
        b += q * sb;
    }
}
