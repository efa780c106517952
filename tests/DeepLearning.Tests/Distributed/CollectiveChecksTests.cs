using DeepLearning.Distributed;

namespace DeepLearning.Tests.Distributed;

public class CollectiveChecksTests
{
    [Theory]
    [InlineData(ReduceOperation.Sum)]
    [InlineData(ReduceOperation.Average)]
    public void Sum_and_average_are_the_reductions(ReduceOperation operation) => CollectiveChecks.Reduction(operation);

    [Fact]
    public void Another_reduction_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveChecks.Reduction((ReduceOperation)7));
        Assert.Equal("operation", e.ParamName);
        Assert.Contains("AllReduce: unknown reduction", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(4, 4)]
    [InlineData(1, 1)]
    public void A_root_outside_the_group_is_refused_with_the_range(int root, int worldSize)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveChecks.Root(root, worldSize));
        Assert.Equal("root", e.ParamName);
        Assert.Contains($"Broadcast: root {root} is not a rank of this group of {worldSize} (0 to {worldSize - 1})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rank_of_the_group_is_a_root()
    {
        for (int root = 0; root < 3; root++) CollectiveChecks.Root(root, 3);
    }

    [Fact]
    public void A_timeout_is_positive_or_infinite_and_infinite_never_expires()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), CollectiveChecks.Timeout(TimeSpan.FromSeconds(2), "X.Timeout"));
        Assert.Equal(Timeout.InfiniteTimeSpan, CollectiveChecks.Timeout(Timeout.InfiniteTimeSpan, "X.Timeout"));
        foreach (var bad in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-2) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveChecks.Timeout(bad, "X.Timeout"));
            Assert.Contains("X.Timeout must be positive (or Timeout.InfiniteTimeSpan)", e.Message, StringComparison.Ordinal);
        }
        Assert.True(CollectiveChecks.Expired(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5)));
        Assert.False(CollectiveChecks.Expired(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.False(CollectiveChecks.Expired(Timeout.InfiniteTimeSpan, TimeSpan.FromDays(365)));
    }
}
