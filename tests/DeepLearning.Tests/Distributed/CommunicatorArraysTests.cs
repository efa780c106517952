using DeepLearning.Distributed;

namespace DeepLearning.Tests.Distributed;

public class CommunicatorArraysTests
{
    [Fact]
    public void Arrays_come_back_reduced_and_broadcast_on_every_rank()
    {
        var ranks = ThreadGroup.Run(3, comm =>
        {
            var sums = new float[] { comm.Rank, 10 * comm.Rank + 1, -2.5f };
            comm.AllReduceArray(sums, ReduceOperation.Sum, Device.Cpu);
            var means = new float[] { 3 * comm.Rank };
            comm.AllReduceArray(means, ReduceOperation.Average, Device.Cpu);
            var fromRoot = new float[] { comm.Rank + 0.5f, -comm.Rank };
            comm.BroadcastArray(fromRoot, 2, Device.Cpu);
            return (Sums: sums, Means: means, FromRoot: fromRoot);
        });
        foreach (var r in ranks)
        {
            Assert.Equal([3f, 33f, -7.5f], r.Sums);
            Assert.Equal([3f], r.Means);
            Assert.Equal([2.5f, -2f], r.FromRoot);
        }
    }

    [Fact]
    public void Empty_arrays_need_no_collective()
    {
        var calls = ThreadGroup.Run(2, comm =>
        {
            comm.AllReduceArray([], ReduceOperation.Sum, Device.Cpu);
            comm.BroadcastArray([], 0, Device.Cpu);
            return comm.Calls;
        });
        Assert.Equal([0, 0], calls);
    }
}
