namespace DeepLearning.Tests.Tensors;

public class HostMemoryTests
{
    [Fact]
    public void Cpu_tensor_and_view_are_read_in_place()
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(new float[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f }, { 7f, 8f, 9f } });
        Assert.True(t.TryGetHostSpan(out var all));
        Assert.Equal(t.ToArray(), all.ToArray());
        var row = t.Slice(1, 2);
        Assert.True(row.TryGetHostSpan(out var rows));
        Assert.Equal([4f, 5f, 6f, 7f, 8f, 9f], rows.ToArray());
    }

    [Fact]
    public void Tensor_on_a_device_without_host_memory_gives_no_span_and_reads_nothing()
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray([1f, 2f], device);
        Assert.False(t.TryGetHostSpan(out var none));
        Assert.Equal(0, none.Length);
        Assert.False(t.TryGetHostArray(out var array, out int offset));
        Assert.Empty(array);
        Assert.Equal(0, offset);
        Assert.Equal(0, backend.Downloads);
    }

    [Fact]
    public void Host_array_of_a_view_starts_at_its_offset_and_writes_reach_the_tensor()
    {
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(new float[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } });
        var row = t.Slice(1, 1);
        Assert.True(row.TryGetHostArray(out var array, out int offset));
        Assert.Equal([3f, 4f], array.AsSpan(offset, row.Length).ToArray());
        array[offset + 1] = -4f;
        Assert.Equal([1f, 2f, 3f, -4f, 5f, 6f], t.ToArray());
    }
}
