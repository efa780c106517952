using ILGPU.Algorithms;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// Philox-4x32-10 as kernel code: the same rounds, keys and word selection as the CPU backend's
/// <c>Backends/Cpu/Philox.cs</c>, so a uniform fill is bit-identical on every device (integer arithmetic only, and one
/// multiply-add whose rounding is the same wherever the compiler does not contract it into an FMA).
/// </summary>
internal static class PhiloxDevice
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    public static void Block(ulong seed, ulong counter, out uint r0, out uint r1, out uint r2, out uint r3)
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
        r0 = c0;
        r1 = c1;
        r2 = c2;
        r3 = c3;
    }

    /// <summary>A uniform float in [0, 1) from the top 24 bits of a word (exact: 24 bits fit the mantissa).</summary>
    public static float ToUnit(uint word) => (word >> 8) * (1f / (1 << 24));

    /// <summary>Element <paramref name="index"/> of the uniform stream: word index % 4 of block index / 4.</summary>
    public static float Uniform(ulong seed, ulong index)
    {
        Block(seed, index >> 2, out uint a, out uint b, out uint c, out uint d);
        uint lane = (uint)(index & 3);
        return ToUnit(lane == 0 ? a : lane == 1 ? b : lane == 2 ? c : d);
    }

    /// <summary>Element <paramref name="index"/> of the standard normal stream: Box–Muller on block <paramref name="index"/>.</summary>
    public static float Normal(ulong seed, ulong index)
    {
        Block(seed, index, out uint a, out uint b, out _, out _);
        float u1 = 1f - ToUnit(a), u2 = ToUnit(b);
        return XMath.Sqrt(-2f * XMath.Log(u1)) * XMath.Cos(2f * XMath.PI * u2);
    }
}
