using DeepLearning.Backends.Ilgpu;
using DeepLearning.Gpu.Tests.Backends.Ilgpu;

namespace DeepLearning.Gpu.Tests.Memory;

/// <summary>
/// Non-blocking uploads through the ring of page-locked staging buffers: values arrive intact when the ring wraps with
/// copies still queued, a slot is reused only after its copy is known done, and a loop of batches allocates neither
/// staging nor device memory once warm.
/// </summary>
public class StagingRingTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Uploads_queued_past_the_ring_size_arrive_intact_and_wait_only_on_reuse(string device)
    {
        var gpu = TestDevices.Backend(device);
        using var stream = gpu.Accelerator.CreateStream();
        using var ring = new StagingRing(gpu.Accelerator, stream);
        int uploads = 3 * StagingRing.Slots + 1;
        var host = new float[1000];
        var expected = new float[uploads][];
        var targets = new List<IlgpuBuffer>();
        for (int u = 0; u < uploads; u++)
        {
            // One host array overwritten each time: the ring must have taken its own copy when Upload returned.
            TestDevices.Random(host.Length - u, 100 + u).CopyTo(host, 0);
            expected[u] = host[..(host.Length - u)];
            var t = gpu.Allocator.Allocate(host.Length);
            targets.Add(t);
            ring.Upload(host.AsSpan(0, host.Length - u), t.View);
        }
        // Nothing waited on the stream in between, so the first reuse of each round had to wait for it (and that wait
        // covers the rest of the round's copies).
        Assert.Equal((uploads - 1) / StagingRing.Slots, ring.Waits);
        stream.Synchronize();
        for (int u = 0; u < uploads; u++)
        {
            var back = new float[expected[u].Length];
            gpu.Download(targets[u], 0, back);
            Assert.Equal(expected[u], back);
            targets[u].Release();
        }
    }

    [Fact]
    public void A_loop_that_downloads_each_step_never_waits_and_stops_allocating_staging_after_one_round()
    {
        var gpu = TestDevices.Backend("warp4");
        using var stream = gpu.Accelerator.CreateStream();
        using var ring = new StagingRing(gpu.Accelerator, stream);
        var target = gpu.Allocator.Allocate(500);
        var back = new float[1];
        for (int step = 0; step < 5 * StagingRing.Slots; step++)
        {
            var batch = TestDevices.Random(500, step);
            ring.Upload(batch, target.View);
            long queued = ring.Queued;
            stream.Synchronize(); // what the loss download does
            ring.Completed(queued);
            if (step == StagingRing.Slots - 1) Assert.Equal(StagingRing.Slots, ring.PinnedAllocations);
        }
        Assert.Equal(StagingRing.Slots, ring.PinnedAllocations);
        Assert.Equal(0, ring.Waits);
        target.Release();
    }

    [Theory]
    [InlineData(StagingRing.MaxStagedFloats + 1)]
    [InlineData(70_000)]
    public void An_upload_of_any_size_through_the_backend_arrives_intact(int length)
    {
        var gpu = TestDevices.Backend("warp4");
        var data = TestDevices.Random(length, 7);
        var buffer = gpu.Allocate(length + 3);
        gpu.Upload(data, buffer, 3);
        var back = new float[length];
        gpu.Download(buffer, 3, back);
        Assert.Equal(data, back);
        buffer.Release();
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void DataLoader_batches_on_the_device_match_the_cpu_with_no_allocation_per_batch(string name)
    {
        var device = TestDevices.Get(name);
        var gpu = TestDevices.Backend(name);
        var x = Tensor.FromSpan(TestDevices.Random(90 * 5, 8), new Shape(90, 5));
        var y = Tensor.FromSpan(TestDevices.Random(90 * 2, 9), new Shape(90, 2));
        var onCpu = new DataLoader(x, y, batchSize: 8, shuffle: true, seed: 4);
        var onGpu = new DataLoader(x, y, batchSize: 8, shuffle: true, seed: 4, device: device);
        long driver = 0, pinned = 0, waits = 0, uploads = 0;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            if (epoch == 1)
            {
                driver = gpu.DriverAllocations;
                pinned = gpu.Staging.PinnedAllocations;
                waits = gpu.Staging.Waits;
                uploads = gpu.Uploads;
            }
            var expected = onCpu.Select(b => (b.X.ToArray(), b.Y.ToArray())).ToList();
            int i = 0;
            // 12 batches per epoch (the last of 2 rows): the 4-slot ring wraps three times.
            foreach (var (gx, gy) in onGpu)
            {
                Assert.Equal(device, gx.Device);
                Assert.Equal(expected[i].Item1, gx.ToArray());
                Assert.Equal(expected[i++].Item2, gy.ToArray());
            }
            Assert.Equal(expected.Count, i);
        }
        Assert.Equal(driver, gpu.DriverAllocations);
        Assert.Equal(pinned, gpu.Staging.PinnedAllocations);
        // One upload per batch (x and y together), and none waited for a staging slot: each step read a result back.
        Assert.Equal(2 * onGpu.Count, gpu.Uploads - uploads);
        Assert.Equal(waits, gpu.Staging.Waits);
    }
}
