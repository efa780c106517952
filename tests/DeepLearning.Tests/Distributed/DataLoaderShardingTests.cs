using DeepLearning.Distributed;
namespace DeepLearning.Tests.Distributed;

public class DataLoaderShardingTests
{
    [Fact]
    public void Each_rank_gets_the_shard_of_its_rank()
    {
        var x = Tensor.FromArray([.. Enumerable.Range(0, 10).Select(i => (float)i)]).Reshape(10, 1);
        var shards = ThreadGroup.Run(3, comm =>
        {
            var shard = new DataLoader(x, x, 2, shuffle: true, seed: 4).Shard(comm);
            var expected = new DataLoader(x, x, 2, shuffle: true, seed: 4).Shard(comm.Rank, 3);
            return (Rank: shard.Rank, World: shard.WorldSize, Got: shard.SelectMany(b => b.X.ToArray()).ToArray(), Expected: expected.SelectMany(b => b.X.ToArray()).ToArray());
        });
        for (int r = 0; r < 3; r++)
        {
            Assert.Equal((r, 3), (shards[r].Rank, shards[r].World));
            Assert.Equal(shards[r].Expected, shards[r].Got);
        }
    }
}
