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
        Assert.Equal(0, backend.Downloads);
    }
}
