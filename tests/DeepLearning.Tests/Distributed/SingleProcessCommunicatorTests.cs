using DeepLearning.Distributed;

namespace DeepLearning.Tests.Distributed;

public class SingleProcessCommunicatorTests
{
    [Theory]
    [InlineData(ReduceOperation.Sum)]
    [InlineData(ReduceOperation.Average)]
    public void All_reduce_over_one_rank_leaves_the_values(ReduceOperation operation)
    {
        using var comm = new SingleProcessCommunicator();
        using var t = Tensor.Uniform(new Shape(5, 3), -2f, 2f, seed: 11);
        var before = t.ToArray();
        comm.AllReduce(t, operation);
        Assert.Equal(before, t.ToArray());
    }

    [Fact]
    public void Broadcast_from_rank_0_leaves_the_values_and_other_roots_are_refused()
    {
        using var comm = new SingleProcessCommunicator();
        using var t = Tensor.Uniform(new Shape(4), -1f, 1f, seed: 12);
        var before = t.ToArray();
        comm.Broadcast(t, 0);
        Assert.Equal(before, t.ToArray());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => comm.Broadcast(t, 1));
        Assert.Contains("root must be 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_and_misuse()
    {
        var comm = new SingleProcessCommunicator();
        Assert.Equal((0, 1, "single process"), (comm.Rank, comm.WorldSize, comm.Name));
        comm.Barrier();
        Assert.Throws<ArgumentNullException>(() => comm.AllReduce(null!, ReduceOperation.Sum));
        Assert.Throws<ArgumentOutOfRangeException>(() => comm.AllReduce(Tensor.Zeros(1), (ReduceOperation)7));
        var released = Tensor.Zeros(2);
        released.Dispose();
        Assert.Throws<ObjectDisposedException>(() => comm.AllReduce(released, ReduceOperation.Sum));
        comm.Dispose();
        Assert.Throws<ObjectDisposedException>(() => comm.Barrier());
        Assert.Throws<ObjectDisposedException>(() => comm.AllReduce(Tensor.Zeros(1), ReduceOperation.Sum));
    }
}
