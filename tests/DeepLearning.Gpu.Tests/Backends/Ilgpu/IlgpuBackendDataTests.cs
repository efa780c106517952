using DeepLearning.Backends;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>GatherRows, AddInPlace and Dropout against the CPU (exact), and the memory statistics of the caching allocator.</summary>
public class IlgpuBackendDataTests
{
    public static TheoryData<string, int[]> GatherCases()
    {
        var data = new TheoryData<string, int[]>();
        foreach (var d in Names)
        {
            data.Add(d, [3, 4, 5, 0, 9, 9, 2]); // a run, a jump back, a repeat
            data.Add(d, [7]);
            data.Add(d, []);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(GatherCases))]
    public void GatherRows_matches_the_cpu(string device, int[] rows)
    {
        var gpu = Backend(device);
        long live = gpu.LiveBuffers;
        var x = Random(10 * 7 + 2, 50);
        var (cpu, g) = Both(gpu, [x], Random(rows.Length * 7 + 3, 51), (b, i, o) => b.GatherRows(i[0], 2, 7, rows, o, 1));
        Assert.Equal(cpu, g);
        // The pooled index block went back to the allocator.
        Assert.Equal(live, gpu.LiveBuffers);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void AddInPlace_matches_the_cpu(string device)
    {
        var x = Random(40, 52);
        var (cpu, gpu) = Both(Backend(device), [x], Random(45, 53), (b, i, o) => b.AddInPlace(i[0], 3, o, 2, 37));
        Assert.Equal(cpu, gpu);
    }

    public static TheoryData<string, float, ulong, bool> DropoutCases()
    {
        var data = new TheoryData<string, float, ulong, bool>();
        foreach (var d in Names)
        {
            data.Add(d, 0.3f, 0UL, false);
            data.Add(d, 0.5f, (1UL << 32) - 5, true); // counter carry into the high word, in place
            data.Add(d, 0f, 17UL, false);
            data.Add(d, 1f, 17UL, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DropoutCases))]
    public void Dropout_is_bit_identical_to_the_cpu(string device, float p, ulong counter, bool inPlace)
    {
        const int n = 301;
        var x = Random(n + 4, 54);
        var (cpu, gpu) = inPlace
            ? Both(Backend(device), [], x, (b, _, o) => b.Dropout(o, 4, o, 4, n, p, 0xC0FFEEUL, counter))
            : Both(Backend(device), [x], Random(n + 1, 55), (b, i, o) => b.Dropout(i[0], 4, o, 1, n, p, 0xC0FFEEUL, counter));
        Assert.Equal(cpu, gpu);
        int dropped = gpu.Skip(inPlace ? 4 : 1).Take(n).Count(v => v == 0f);
        if (p > 0f && p < 1f) Assert.InRange(dropped, (int)(n * p) - 40, (int)(n * p) + 40);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Memory_statistics_count_live_and_cached_blocks_and_TrimCache_frees_the_cached(string device)
    {
        IBackend gpu = Backend(device);
        long before = gpu.BytesInUse;
        var a = gpu.Allocate(5000); // 20,000 bytes: the 20 KiB class
        Assert.Equal(before + 20 * 1024, gpu.BytesInUse);
        a.Release();
        Assert.Equal(before, gpu.BytesInUse);
        Assert.True(gpu.BytesReserved >= gpu.BytesInUse + 20 * 1024, "the released block stays reserved until trimmed");
        gpu.Synchronize();
        gpu.TrimCache();
        long reserved = gpu.BytesReserved;
        Assert.True(reserved >= gpu.BytesInUse);
        // What is left reserved is arenas with live blocks: a second trim finds nothing to free.
        gpu.TrimCache();
        Assert.Equal(reserved, gpu.BytesReserved);
    }
}
