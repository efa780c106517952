namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// The block sizes the caching allocator hands out, in bytes: 256, 512, 1 KiB, 2 KiB, then four steps per doubling
/// (4, 5, 6, 7 KiB, 8, 10, 12, 14 KiB, …). Every class is a multiple of 256 bytes, so blocks laid end to end in an
/// arena stay 256-byte aligned; four steps per doubling keep the rounding waste under 25% (powers of two alone waste up
/// to half, which for a 600 MB activation is 300 MB).
/// </summary>
internal static class SizeClasses
{
    /// <summary>Alignment of every block in bytes: ILGPU's PTX backend assumes 256-byte-aligned views (notes/ilgpu.md §5).</summary>
    public const int Alignment = 256;

    private static readonly long[] Bytes = Build();

    /// <summary>Number of classes (the largest covers int.MaxValue floats).</summary>
    public static int Count => Bytes.Length;

    /// <summary>The size of class <paramref name="cls"/> in bytes.</summary>
    public static long SizeOf(int cls) => Bytes[cls];

    /// <summary>The smallest class holding <paramref name="bytes"/> bytes.</summary>
    public static int Of(long bytes)
    {
        int i = Array.BinarySearch(Bytes, Math.Max(bytes, 1));
        return i >= 0 ? i : ~i;
    }

    private static long[] Build()
    {
        var sizes = new List<long> { 256, 512, 1024, 2048 };
        long maxBytes = 4L * int.MaxValue;
        for (long p = 4096; sizes[^1] < maxBytes; p *= 2)
            for (int q = 4; q < 8 && sizes[^1] < maxBytes; q++) sizes.Add(p / 4 * q);
        return [.. sizes];
    }
}
