using System.Runtime.CompilerServices;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// Philox-4x32-10 (Salmon et al., 2011), the counter-based generator of cuRAND and PyTorch: a block of four 32-bit
/// words is a pure function of (key, counter), so any element of a random tensor can be computed independently —
/// the same on every device and for every thread count.
/// </summary>
internal static class Philox
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>The four words of block <paramref name="counter"/> under <paramref name="seed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint, uint, uint, uint) Block(ulong seed, ulong counter)
    {
        uint c0 = (uint)counter, c1 = (uint)(counter >> 32), c2 = 0, c3 = 0;
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int r = 0; r < 10; r++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint)p1;
            c3 = (uint)p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>A uniform float in [0, 1) from the top 24 bits of a word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUnit(uint word) => (word >> 8) * (1f / (1 << 24));

    /// <summary>Element <paramref name="index"/> of the uniform [0, 1) stream: word index % 4 of block index / 4.</summary>
    public static float Uniform(ulong seed, ulong index)
    {
        var (a, b, c, d) = Block(seed, index >> 2);
        return ToUnit((index & 3) switch { 0 => a, 1 => b, 2 => c, _ => d });
    }

    /// <summary>Element <paramref name="index"/> of the standard normal stream (Box–Muller on block <paramref name="index"/>).</summary>
    public static float Normal(ulong seed, ulong index)
    {
        var (a, b, _, _) = Block(seed, index);
        // 1 − u keeps the logarithm's argument in (0, 1].
        float u1 = 1f - ToUnit(a), u2 = ToUnit(b);
        return MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
    }
}
