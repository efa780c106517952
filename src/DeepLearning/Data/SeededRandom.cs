namespace DeepLearning;

/// <summary>
/// The small host-side generator data preparation uses (shuffles, splits, synthetic sets, augmentation parameters):
/// SplitMix64. A stream is derived from a seed and stream numbers by hashing, never from shared state, so the result
/// depends only on the numbers passed in, whatever the thread or call order.
/// </summary>
internal struct SeededRandom
{
    private ulong _state;

    /// <summary>A stream for (<paramref name="seed"/>, <paramref name="stream"/>, <paramref name="substream"/>).</summary>
    public SeededRandom(ulong seed, ulong stream = 0, ulong substream = 0) =>
        _state = Mix(Mix(Mix(seed) ^ stream) ^ substream);

    /// <summary>The SplitMix64 finaliser: a bijective mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (every float of the form k/2²⁴).</summary>
    public float NextFloat() => (NextULong() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public float NextFloat(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>Uniform integer in [0, <paramref name="n"/>), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        ulong bound = (ulong)n;
        while (true)
        {
            ulong r = NextULong() >> 32;
            ulong m = r * bound;
            if ((uint)m >= (uint)((0x1_0000_0000UL - bound) % bound)) return (int)(m >> 32);
        }
    }

    /// <summary>Standard normal (Box–Muller; 1 − u keeps the logarithm's argument in (0, 1]).</summary>
    public float NextNormal()
    {
        double u = 1.0 - (NextULong() >> 11) * (1.0 / (1UL << 53));
        double v = (NextULong() >> 11) * (1.0 / (1UL << 53));
        return (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
    }

    /// <summary>A uniformly random permutation of 0 … n − 1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
