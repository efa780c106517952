using DeepLearning.Backends.Cpu;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>The counter-based generator: known answer, reproducibility, counters, and the moments of its distributions.</summary>
public class PhiloxTests
{
    private const int Samples = 100_000;

    [Fact]
    public void Matches_the_Random123_known_answer_for_zero_key_and_counter()
    {
        // Salmon et al.'s kat_vectors: philox4x32-10, counter 0, key 0.
        Assert.Equal((0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u), Philox.Block(0, 0));
    }

    private static float[] Uniform(ulong seed, ulong counter, int n, int offset = 0)
    {
        var b = Backend.Allocate(n + offset);
        Backend.RandomUniform(b, offset, n, seed, counter, 0, 1);
        var r = Read(b, offset, n);
        b.Release();
        return r;
    }

    private static float[] Normal(ulong seed, ulong counter, int n)
    {
        var b = Backend.Allocate(n);
        Backend.RandomNormal(b, 0, n, seed, counter, 0, 1);
        var r = Read(b, 0, n);
        b.Release();
        return r;
    }

    [Fact]
    public void Reproducible_per_seed_and_different_across_seeds()
    {
        Assert.Equal(Uniform(7, 0, 1000), Uniform(7, 0, 1000));
        Assert.Equal(Normal(7, 0, 1000), Normal(7, 0, 1000));
        var a = Uniform(7, 0, 1000);
        var b = Uniform(8, 0, 1000);
        Assert.True(a.Zip(b).Count(p => p.First == p.Second) < 5, "seeds 7 and 8 give the same stream");
        Assert.NotEqual(Normal(7, 0, 100), Normal(8, 0, 100));
    }

    [Fact]
    public void Element_depends_only_on_seed_and_counter_plus_index()
    {
        // A fill starting at counter 5 is the tail of a fill starting at 0, whatever the buffer offset.
        var whole = Uniform(3, 0, 40);
        Assert.Equal(whole[5..], Uniform(3, 5, 35, offset: 3));
        var normal = Normal(3, 0, 40);
        Assert.Equal(normal[7..], Normal(3, 7, 33));
    }

    [Theory]
    [InlineData(0ul, 37)]
    [InlineData(1ul, 1)]
    [InlineData(2ul, 6)]
    [InlineData(3ul, 2)]
    [InlineData(1_000_000_007ul, 101)]
    public void Fill_is_element_j_of_the_uniform_stream_for_any_start_and_length(ulong counter, int n)
    {
        // The fill shares one Philox block among four elements: it must still equal the per-element definition where the
        // start is not a multiple of four and the length ends mid-block.
        var expected = Enumerable.Range(0, n).Select(i => Philox.Uniform(11, counter + (ulong)i)).ToArray();
        Assert.Equal(expected, Uniform(11, counter, n, offset: 1));
    }

    [Fact]
    public void Uniform_has_mean_one_half_and_variance_one_twelfth()
    {
        var u = Uniform(2024, 0, Samples);
        Assert.All(u, v => Assert.InRange(v, 0f, 0.99999994f));
        double mean = u.Average(v => (double)v);
        double variance = u.Average(v => (v - mean) * (v - mean));
        // Standard errors for n = 1e5: mean σ/√n = 0.29/316 = 9.1e-4; variance √((1/80 − 1/144)/n) = 2.4e-4. Allow 5 of each.
        Assert.InRange(mean, 0.5 - 0.0046, 0.5 + 0.0046);
        Assert.InRange(variance, 1 / 12.0 - 0.0012, 1 / 12.0 + 0.0012);
    }

    [Fact]
    public void Normal_has_mean_zero_and_standard_deviation_one()
    {
        var z = Normal(2024, 0, Samples);
        Assert.All(z, v => Assert.True(float.IsFinite(v)));
        double mean = z.Average(v => (double)v);
        double std = Math.Sqrt(z.Average(v => (v - mean) * (v - mean)));
        // Standard errors for n = 1e5: mean 1/√n = 3.2e-3; standard deviation 1/√(2n) = 2.2e-3. Allow 5 of each.
        Assert.InRange(mean, -0.016, 0.016);
        Assert.InRange(std, 1 - 0.011, 1 + 0.011);
        // The tails: P(|z| > 2) = 0.0455, standard error √(p(1−p)/n) = 6.6e-4.
        double tail = z.Count(v => Math.Abs(v) > 2) / (double)Samples;
        Assert.InRange(tail, 0.0455 - 0.0033, 0.0455 + 0.0033);
    }
}
