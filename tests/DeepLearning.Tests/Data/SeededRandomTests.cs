namespace DeepLearning.Tests.Data;

public class SeededRandomTests
{
    [Fact]
    public void Streams_AreReproducibleAndDistinct()
    {
        var a = new SeededRandom(1, 2, 3);
        var b = new SeededRandom(1, 2, 3);
        var c = new SeededRandom(1, 2, 4);
        var sa = Enumerable.Range(0, 8).Select(_ => a.NextULong()).ToArray();
        Assert.Equal(sa, Enumerable.Range(0, 8).Select(_ => b.NextULong()));
        Assert.NotEqual(sa, Enumerable.Range(0, 8).Select(_ => c.NextULong()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public void NextInt_CoversTheRangeEvenly(int n)
    {
        var r = new SeededRandom(5);
        var counts = new int[n];
        const int draws = 20000;
        for (int i = 0; i < draws; i++) counts[r.NextInt(n)]++;
        foreach (int c in counts) Assert.InRange(c, draws / n * 0.9, draws / n * 1.1);
    }

    [Fact]
    public void NextFloatAndNormal_HaveTheirMoments()
    {
        var r = new SeededRandom(6);
        var u = Enumerable.Range(0, 20000).Select(_ => (double)r.NextFloat()).ToArray();
        Assert.All(u, v => Assert.InRange(v, 0, 1 - 1e-9));
        Assert.Equal(0.5, u.Average(), 1);
        var g = Enumerable.Range(0, 20000).Select(_ => (double)r.NextNormal()).ToArray();
        Assert.InRange(g.Average(), -0.03, 0.03);
        Assert.InRange(Math.Sqrt(g.Select(v => v * v).Average()), 0.97, 1.03);
    }

    [Fact]
    public void Permutation_IsAPermutation()
    {
        var r = new SeededRandom(7);
        var p = r.Permutation(100);
        Assert.Equal(Enumerable.Range(0, 100), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), p);
    }
}
