using DeepLearning.Backends.Cpu;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>The data-movement primitives (gather, in-place add, fused dropout) against plain references, at offsets with guards.</summary>
public class CpuBackendDataTests
{
    private static float[] Random(int n, int seed)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 4 - 2))];
    }

    [Theory]
    [InlineData(new int[0], 3)]
    [InlineData(new[] { 4, 0, 2, 2, 1 }, 3)]
    [InlineData(new[] { 1, 2, 3, 4 }, 7)]
    [InlineData(new[] { 5, 0, 1, 2, 4, 3 }, 1)]
    public void GatherRows_copies_each_indexed_row(int[] rows, int rowLength)
    {
        var x = Random(6 * rowLength, 1);
        var xb = With(x, 2);
        var yb = Empty(rows.Length * rowLength, 3);
        Backend.GatherRows(xb, 2, rowLength, rows, yb, 3);
        var expected = rows.SelectMany(r => x.Skip(r * rowLength).Take(rowLength)).ToArray();
        Assert.Equal(expected, Read(yb, 3, expected.Length));
        AssertGuards(yb, 3, expected.Length, "GatherRows");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(1000)]
    public void AddInPlace_adds_into_y(int n)
    {
        var x = Random(n, 2);
        var y = Random(n, 3);
        var xb = With(x, 1);
        var yb = With(y, 4);
        Backend.AddInPlace(xb, 1, yb, 4, n);
        Assert.Equal(x.Zip(y, (a, b) => a + b).ToArray(), Read(yb, 4, n));
        AssertGuards(yb, 4, n, "AddInPlace");
    }

    [Theory]
    [InlineData(0f, 100)]
    [InlineData(0.3f, 1000)]
    [InlineData(0.9f, 257)]
    public void Dropout_equals_the_mask_drawn_from_the_uniform_stream(float p, int n)
    {
        const ulong seed = 42, counter = 17;
        var x = Random(n, 4);
        var xb = With(x, 2);
        var yb = Empty(n, 1);
        Backend.Dropout(xb, 2, yb, 1, n, p, seed, counter);
        var u = Empty(n, 0);
        Backend.RandomUniform(u, 0, n, seed, counter, 0f, 1f);
        var draws = Read(u, 0, n);
        var expected = x.Select((v, i) => draws[i] >= p ? v * (1f / (1f - p)) : 0f).ToArray();
        Assert.Equal(expected, Read(yb, 1, n));
        AssertGuards(yb, 1, n, "Dropout");
        // In place, and its own backward: the same call on a gradient applies the same mask.
        Backend.Dropout(xb, 2, xb, 2, n, p, seed, counter);
        Assert.Equal(expected, Read(xb, 2, n));
    }
}

/// <summary>The pool's byte counters are process-wide: this runs alone, or another test's buffers move them mid-test.</summary>
[Collection(nameof(Tensors.MemoryCollection))]
public class CpuBackendMemoryStatisticsTests
{
    [Fact]
    public void Memory_statistics_count_live_bytes_and_trimming_drops_the_cache()
    {
        var b = Backend.Allocate(1 << 20);
        long inUse = Backend.BytesInUse;
        Assert.True(inUse >= 4L << 20);
        Assert.True(Backend.BytesReserved >= inUse);
        b.Release();
        Assert.True(Backend.BytesInUse <= inUse - (4L << 20));
        Backend.TrimCache();
        Assert.Equal(Backend.BytesInUse, Backend.BytesReserved);
        CpuBackend.Instance.Synchronize();
    }
}
