namespace DeepLearning.Tests.Tensors;

/// <summary>Reading tensors back: ToArray, Item, the indexer and their errors.</summary>
public class ConversionTests
{
    [Fact]
    public void Item_and_indexer()
    {
        var t = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(5f, t[1, 1]);
        Assert.Equal(3f, t[0, 2]);
        Assert.Equal(9f, Tensor.FromArray([9f]).Item());
        // A view reads at its offset.
        Assert.Equal(4f, t.Slice(1, 1)[0, 0]);
        Assert.Equal([4f, 5, 6], t.Slice(1, 1).ToArray());
        Assert.Contains("6 elements, not one", Assert.Throws<InvalidOperationException>(() => t.Item()).Message, StringComparison.Ordinal);
        Assert.Throws<IndexOutOfRangeException>(() => t[2, 0]);
        Assert.Throws<IndexOutOfRangeException>(() => t[0, -1]);
        Assert.Throws<ArgumentException>(() => t[1]);
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2).ToArray2D());
        Assert.Same(t, t.To(Device.Cpu));
    }

    [Fact]
    public void Reading_a_released_tensor_throws_naming_it()
    {
        var t = Tensor.Zeros(2, 3);
        t.Name = "weights";
        t.Dispose();
        t.Dispose(); // twice is harmless
        Assert.True(t.IsDisposed);
        var ex = Assert.Throws<ObjectDisposedException>(() => t.ToArray());
        Assert.Contains("Tensor 'weights' [2,3] was released", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => t + t);
        Assert.Throws<ObjectDisposedException>(() => t.Sum());
        Assert.Equal("Tensor 'weights' [2,3] (released)", t.ToString());
    }

    [Fact]
    public void A_view_keeps_memory_alive_after_its_source_is_released()
    {
        var t = Tensor.FromArray([1f, 2, 3, 4]);
        var v = t.Reshape(2, 2);
        t.Dispose();
        Assert.Equal([1f, 2, 3, 4], v.ToArray());
    }
}
