using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Tests.Backends;

/// <summary>Reference counting of buffers, whose objects the CPU backend reuses once released.</summary>
public class DeviceBufferTests
{
    [Fact]
    public void A_released_buffer_cannot_be_retained_or_released_again_and_later_buffers_are_sound()
    {
        var backend = CpuBackend.Instance;
        var b = backend.Allocate(8);
        b.Retain();
        b.Release();
        Assert.False(b.IsReleased);
        b.Release();
        Assert.True(b.IsReleased);
        Assert.Throws<ObjectDisposedException>(b.Retain);
        Assert.True(b.IsReleased);
        // Whatever object the next allocations get, each holds exactly one reference.
        var next = Enumerable.Range(0, 4).Select(_ => backend.Allocate(8)).ToList();
        foreach (var n in next)
        {
            Assert.False(n.IsReleased);
            n.Release();
            Assert.True(n.IsReleased);
            Assert.Throws<InvalidOperationException>(n.Release);
        }
    }

    [Fact]
    public void A_reused_buffer_object_takes_the_new_length()
    {
        var backend = CpuBackend.Instance;
        for (int length = 1; length < 300; length += 37)
        {
            var b = (CpuBuffer)backend.Allocate(length);
            Assert.Equal(length, b.Length);
            Assert.True(b.Array.Length >= length);
            b.Release();
        }
    }

    [Fact]
    public void Disposing_a_tensor_the_pool_declines_lets_the_GC_free_its_array()
    {
        // Over 2^24 floats the pool keeps no array; the released wrapper waiting for reuse must not keep it either.
        var weak = MakeAndDispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(weak.IsAlive, "the 64 MiB array of a disposed tensor is still reachable");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference MakeAndDispose()
    {
        var b = (CpuBuffer)CpuBackend.Instance.Allocate((1 << 24) + 64);
        var weak = new WeakReference(b.Array);
        b.Release();
        return weak;
    }
}
