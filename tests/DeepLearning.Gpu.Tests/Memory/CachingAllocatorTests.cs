using DeepLearning.Backends;
using DeepLearning.Backends.Ilgpu;
using DeepLearning.Gpu.Tests.Backends.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Gpu.Tests.Memory;

/// <summary>
/// The caching allocator: aligned, non-overlapping blocks from arenas, dedicated buffers for large requests, exact
/// statistics, trimming, out of memory, and no driver allocation once a training loop is warm. Most cases use an
/// allocator of their own over a test device's accelerator, so counts are not disturbed by other tests' cached blocks.
/// </summary>
public class CachingAllocatorTests
{
    private static CachingAllocator Fresh(string device)
    {
        var backend = TestDevices.Backend(device);
        return new CachingAllocator(backend, backend.Accelerator);
    }

    /// <summary>The block's offset that must be a multiple of 256: its address, or its index in an OpenCL buffer.</summary>
    private static long AlignmentOffset(IlgpuBuffer b) =>
        b.View.GetAcceleratorType() == AcceleratorType.OpenCL ? ((IContiguousArrayView)b.View).IndexInBytes : b.View.LoadEffectiveAddressAsPtr().ToInt64();

    [Theory]
    [InlineData(0, 256)]
    [InlineData(1, 256)]
    [InlineData(256, 256)]
    [InlineData(257, 512)]
    [InlineData(2049, 4096)]
    [InlineData(4097, 5120)]
    [InlineData(5121, 6144)]
    [InlineData(7 << 10, 7 << 10)]
    [InlineData((7 << 10) + 1, 8 << 10)]
    [InlineData((4 << 20) + 1, 5 << 20)]
    [InlineData(600_000_000, 671_088_640)]
    public void A_request_gets_the_smallest_class_that_holds_it(long bytes, long classBytes) =>
        Assert.Equal(classBytes, SizeClasses.SizeOf(SizeClasses.Of(bytes)));

    [Fact]
    public void Classes_are_multiples_of_256_ascending_within_25_percent_and_cover_the_largest_buffer()
    {
        for (int c = 0; c < SizeClasses.Count; c++)
        {
            Assert.Equal(0, SizeClasses.SizeOf(c) % SizeClasses.Alignment);
            if (c > 0) Assert.True(SizeClasses.SizeOf(c) > SizeClasses.SizeOf(c - 1));
            if (SizeClasses.SizeOf(c) > 4096) Assert.True(SizeClasses.SizeOf(c) <= 1.25 * SizeClasses.SizeOf(c - 1) + 1);
        }
        Assert.True(SizeClasses.SizeOf(SizeClasses.Count - 1) >= 4L * int.MaxValue);
        Assert.Equal(SizeClasses.Count - 1, SizeClasses.Of(4L * int.MaxValue));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Every_block_is_256_byte_aligned_and_blocks_do_not_overlap(string device)
    {
        using var allocator = Fresh(device);
        var backend = allocator.Backend;
        // Lengths across small arenas, large arenas and dedicated buffers, several of each class so arenas hold neighbours.
        int[] lengths = [1, 63, 64, 65, 100, 1000, 1000, 1000, 5000, 70_000, 70_000, 300_000, 300_000, 1_048_577, 1_500_000];
        var buffers = lengths.Select(allocator.Allocate).ToList();
        for (int i = 0; i < buffers.Count; i++)
        {
            Assert.True(AlignmentOffset(buffers[i]) % 256 == 0, $"block {i} ({lengths[i]} floats) is at offset {AlignmentOffset(buffers[i])}");
            Assert.True(buffers[i].View.Length >= lengths[i]);
            backend.Fill(buffers[i], 0, lengths[i], i + 1);
        }
        for (int i = 0; i < buffers.Count; i++)
        {
            var host = new float[lengths[i]];
            backend.Download(buffers[i], 0, host);
            Assert.True(host.All(v => v == i + 1), $"block {i} was overwritten by a neighbour");
        }
        foreach (var b in buffers) b.Release();
        Assert.Equal(0, allocator.BytesInUse);
        Assert.Equal(0, allocator.LiveBuffers);
    }

    [Fact]
    public void Statistics_are_exact_and_trim_returns_only_empty_arenas()
    {
        using var allocator = Fresh("warp4");
        int cls = SizeClasses.Of(4 * 1000);
        long block = SizeClasses.SizeOf(cls);
        int perArena = CachingAllocator.BlocksPerArena(cls);
        Assert.Equal(CachingAllocator.SmallArenaBytes / block, perArena);
        // Two and a half arenas' worth of blocks: three driver allocations, not one per block.
        var held = Enumerable.Range(0, perArena * 5 / 2).Select(_ => allocator.Allocate(1000)).ToList();
        Assert.Equal(3, allocator.DriverAllocations);
        Assert.Equal(3, allocator.ArenaCount);
        Assert.Equal(held.Count * block, allocator.BytesInUse);
        long arenaBytes = allocator.BytesReserved / 3;
        Assert.True(arenaBytes >= perArena * block && arenaBytes <= perArena * block + SizeClasses.Alignment);
        Assert.Equal(allocator.BytesReserved - allocator.BytesInUse, allocator.BytesCached);

        // Free everything past the first arena's blocks but one in the third: only the second arena is empty.
        for (int i = perArena; i < held.Count - 1; i++) held[i].Release();
        Assert.Equal((perArena + 1) * block, allocator.BytesInUse);
        Assert.Equal(arenaBytes, allocator.Trim());
        Assert.Equal(2, allocator.ArenaCount);
        Assert.Equal(1, allocator.DriverFrees);
        Assert.Equal(2 * arenaBytes, allocator.BytesReserved);

        // Freed blocks are reused before any new arena: the first arena's free slots, then the third's.
        long driver = allocator.DriverAllocations;
        var again = Enumerable.Range(0, perArena - 1).Select(_ => allocator.Allocate(1000)).ToList();
        Assert.Equal(driver, allocator.DriverAllocations);
        foreach (var b in held.Take(perArena).Append(held[^1]).Concat(again)) b.Release();
        Assert.Equal(0, allocator.BytesInUse);
        Assert.Equal(2 * arenaBytes, allocator.Trim());
        Assert.Equal(0, allocator.BytesReserved);
        Assert.Equal(0, allocator.ArenaCount);
    }

    [Fact]
    public void A_large_request_gets_a_buffer_of_its_own_reused_by_its_class_and_trimmed()
    {
        using var allocator = Fresh("warp4");
        int length = (int)(CachingAllocator.ArenaBlockLimit / 4) + 1;
        long bytes = SizeClasses.SizeOf(SizeClasses.Of(4L * length));
        var big = allocator.Allocate(length);
        Assert.Equal(0, allocator.ArenaCount);
        Assert.Equal(1, allocator.DriverAllocations);
        Assert.Equal(bytes, allocator.BytesInUse);
        Assert.InRange(allocator.BytesReserved, bytes, bytes + SizeClasses.Alignment);
        big.Release();
        Assert.Equal(allocator.BytesReserved, allocator.BytesCached);
        // Another request of the same class takes the cached buffer.
        allocator.Allocate(length + 1000).Release();
        Assert.Equal(1, allocator.DriverAllocations);
        Assert.Equal(allocator.BytesReserved, allocator.Trim());
        Assert.Equal(0, allocator.BytesReserved);
    }

    [Fact]
    public void Out_of_memory_names_bytes_requested_and_free_and_falls_back_from_an_arena_to_one_block()
    {
        using var allocator = Fresh("warp4");
        // Room for one 4 MiB block, not for the 32 MiB arena of its class: the block comes as a buffer of its own.
        allocator.Limit = (5L << 20) + SizeClasses.Alignment;
        var block = allocator.Allocate(1 << 20);
        Assert.Equal(0, allocator.ArenaCount);
        var e = Assert.Throws<GpuOutOfMemoryException>(() => allocator.Allocate(1 << 20));
        Assert.Equal(4L << 20, e.BytesRequested);
        Assert.Contains("4194304 bytes requested", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{allocator.BytesInUse} bytes in use", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{allocator.Limit - allocator.BytesReserved} free of", e.Message, StringComparison.Ordinal);
        // Releasing makes room: the cached buffer serves the next request.
        block.Release();
        allocator.Allocate(1 << 20).Release();
        Assert.Equal(1, allocator.DriverAllocations);
    }

    [Fact]
    public void A_training_loop_makes_no_driver_allocation_or_free_after_warm_up()
    {
        var device = TestDevices.Get("warp4");
        var gpu = TestDevices.Backend("warp4");
        var x = Tensor.FromSpan(TestDevices.Random(96 * 8, 60), new Shape(96, 8));
        var labels = Enumerable.Range(0, 96).Select(i => i % 3).ToArray();
        var model = new Chain(new Dense(8, 16, Activations.Relu, seed: 1), new Dense(16, 3, seed: 2)).To(device);
        var opt = new Adam(0.01f).Setup(model);
        var data = new DataLoader(x, Tensor.OneHot(labels, 3), batchSize: 16, shuffle: true, seed: 3, device: device);
        Tensor Loss(Tensor a, Tensor b) => Losses.LogitCrossEntropy(model.Forward(a), b);
        Trainer.Train(Loss, data, opt);
        long driver = gpu.DriverAllocations, frees = gpu.Allocator.DriverFrees, reserved = gpu.BytesReserved, live = gpu.LiveBuffers;
        for (int epoch = 0; epoch < 4; epoch++) Trainer.Train(Loss, data, opt);
        Assert.Equal(driver, gpu.DriverAllocations);
        Assert.Equal(frees, gpu.Allocator.DriverFrees);
        Assert.Equal(reserved, gpu.BytesReserved);
        Assert.Equal(live, gpu.LiveBuffers);
        model.Dispose();
    }
}
