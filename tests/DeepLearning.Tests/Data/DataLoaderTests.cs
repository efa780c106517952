namespace DeepLearning.Tests.Data;

public class DataLoaderTests
{
    // Sample i has X = (i, −i) and Y = 10·i, so a batch names its samples and shows whether X and Y stay paired.
    private static DataLoader Make(int n, int batch, bool shuffle, bool dropLast, ulong seed = 7)
    {
        var x = new float[2 * n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = 10 * i;
        }
        return new DataLoader(Tensor.FromSpan(x, new Shape(n, 2)), Tensor.FromSpan(y, new Shape(n, 1)), batch, shuffle, seed, dropLast);
    }

    private static List<int[]> Epoch(IEnumerable<(Tensor X, Tensor Y)> batches)
    {
        var result = new List<int[]>();
        foreach (var (x, y) in batches)
        {
            Assert.Equal(x.Shape[0], y.Shape[0]);
            var xs = x.ToArray();
            var ys = y.ToArray();
            var ids = new int[x.Shape[0]];
            for (int i = 0; i < ids.Length; i++)
            {
                Assert.Equal(-xs[2 * i], xs[2 * i + 1]);
                Assert.Equal(10 * xs[2 * i], ys[i]);
                ids[i] = (int)xs[2 * i];
            }
            result.Add(ids);
        }
        return result;
    }

    public static TheoryData<int, int, bool, bool> Cases()
    {
        var d = new TheoryData<int, int, bool, bool>();
        foreach (var (n, b) in new[] { (10, 3), (12, 4), (5, 8), (1, 1), (0, 4) })
            foreach (bool shuffle in new[] { false, true })
                foreach (bool dropLast in new[] { false, true })
                    d.Add(n, b, shuffle, dropLast);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Epoch_VisitsEverySampleExactlyOnce(int n, int batch, bool shuffle, bool dropLast)
    {
        var loader = Make(n, batch, shuffle, dropLast);
        int full = n / batch, rest = n % batch;
        int expectedBatches = full + (rest > 0 && !dropLast ? 1 : 0);
        Assert.Equal(expectedBatches, loader.Count);
        Assert.Equal(n, loader.Length);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var batches = Epoch(loader);
            Assert.Equal(expectedBatches, batches.Count);
            for (int b = 0; b < batches.Count; b++)
                Assert.Equal(b < full ? batch : rest, batches[b].Length);
            var seen = batches.SelectMany(ids => ids).ToArray();
            Assert.Equal(seen.Length, seen.Distinct().Count());
            if (!dropLast || rest == 0) Assert.Equal(Enumerable.Range(0, n), seen.Order());
            else Assert.Equal(full * batch, seen.Length);
            if (!shuffle) Assert.Equal(Enumerable.Range(0, seen.Length), seen);
        }
    }

    [Fact]
    public void DropLast_DropsDifferentSamplesInDifferentEpochs()
    {
        var loader = Make(10, 4, shuffle: true, dropLast: true);
        var dropped = Enumerable.Range(0, 6)
            .Select(_ => string.Join(",", Enumerable.Range(0, 10).Except(Epoch(loader).SelectMany(i => i)).Order()))
            .ToHashSet();
        Assert.True(dropped.Count > 1);
    }

    [Fact]
    public void SameSeed_SameOrder_DifferentEpochsAndSeeds_DifferentOrders()
    {
        var a = Make(50, 8, shuffle: true, dropLast: false, seed: 3);
        var b = Make(50, 8, shuffle: true, dropLast: false, seed: 3);
        var c = Make(50, 8, shuffle: true, dropLast: false, seed: 4);
        var a0 = Flat(a);
        var a1 = Flat(a);
        Assert.Equal(a0, Flat(b));
        Assert.Equal(a1, Flat(b));
        Assert.NotEqual(a0, a1);
        Assert.NotEqual(a0, Flat(c));
        Assert.Equal(2, a.EpochsStarted);
        // GetEpoch replays an epoch without advancing the count.
        Assert.Equal(a1, Epoch(a.GetEpoch(1)).SelectMany(i => i).ToArray());
        Assert.Equal(2, a.EpochsStarted);
    }

    private static int[] Flat(DataLoader loader) => Epoch(loader).SelectMany(i => i).ToArray();

    [Fact]
    public void Transform_GetsEachBatchAndASeedFixedByEpochAndBatch()
    {
        var seeds = new List<ulong>();
        var loader = new DataLoader(Tensor.Zeros(6, 2), Tensor.Zeros(6, 1), 2)
        {
            Transform = (x, seed) =>
            {
                seeds.Add(seed);
                return x + 1f;
            },
        };
        foreach (var (x, _) in loader) Assert.All(x.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(3, seeds.Distinct().Count());
        var first = seeds.ToArray();
        seeds.Clear();
        foreach (var _ in loader.GetEpoch(0)) { }
        Assert.Equal(first, seeds);
        seeds.Clear();
        foreach (var _ in loader) { }
        Assert.Empty(seeds.Intersect(first));
    }

    [Fact]
    public void MismatchedLengths_NameBothLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataLoader(Tensor.Zeros(5, 3), Tensor.Zeros(4, 1)));
        Assert.Contains("5", e.Message);
        Assert.Contains("4", e.Message);
    }

    [Fact]
    public void NonPositiveBatchSize_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Tensor.Zeros(5, 3), Tensor.Zeros(5, 1), 0));

    [Fact]
    public void UnshuffledBatches_AreViews_ShuffledBatchesCopyOnlyTheirRows()
    {
        var x = Tensor.Zeros(1000, 50);
        var y = Tensor.Zeros(1000, 1);
        foreach (var (bx, _) in new DataLoader(x, y, 100))
        {
            Assert.Same(x.Buffer, bx.Buffer);
            break;
        }
        foreach (var (sx, _) in new DataLoader(x, y, 100, shuffle: true, seed: 1))
        {
            Assert.NotSame(x.Buffer, sx.Buffer);
            Assert.Equal(100 * 50, sx.Buffer.Length);
            break;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_batch_and_what_the_loop_body_makes_are_released_when_the_loop_moves_on(bool shuffle)
    {
        var loader = new DataLoader(Tensor.Ones(8, 2), Tensor.Ones(8, 1), 4, shuffle, seed: 2);
        var made = new List<Tensor>();
        Tensor? kept = null;
        using (TensorScope.Begin())
        {
            foreach (var (x, y) in loader)
            {
                Assert.All(made, t => Assert.True(t.IsDisposed));
                made.Add(x);
                made.Add(y);
                made.Add(x * 2f);
                kept ??= TensorScope.Current!.Keep(x.Sum());
            }
            Assert.Equal(6, made.Count);
            Assert.All(made, t => Assert.True(t.IsDisposed));
            var e = Assert.Throws<ObjectDisposedException>(() => made[0].ToArray());
            Assert.Contains("DataLoader moved on", e.Message, StringComparison.Ordinal);
            // Kept past its batch into the scope around the loop: alive until that scope ends.
            Assert.Equal(8f, kept!.Item());
        }
        Assert.True(kept.IsDisposed);
        Assert.Equal(new float[16], (loader.X - 1f).ToArray());
    }

    [Fact]
    public void Leaving_the_loop_early_releases_the_current_batch()
    {
        var loader = new DataLoader(Tensor.Ones(8, 2), Tensor.Ones(8, 1), 4);
        Tensor? first = null;
        foreach (var (x, _) in loader)
        {
            first = x;
            break;
        }
        Assert.True(first!.IsDisposed);
        Assert.False(loader.X.IsDisposed);
    }

    public static TheoryData<int, int, int, bool, bool> ShardCases()
    {
        var d = new TheoryData<int, int, int, bool, bool>();
        foreach (var (n, b, w) in new[] { (12, 2, 2), (10, 3, 3), (11, 4, 2), (5, 2, 4), (2, 1, 3), (0, 2, 2), (7, 2, 1) })
            foreach (bool shuffle in new[] { false, true })
                foreach (bool dropLast in new[] { false, true })
                    d.Add(n, b, w, shuffle, dropLast);
        return d;
    }

    // PyTorch's DistributedSampler: every rank takes every W-th position of the same permutation, padded by wrapping
    // (or cut, with dropLast) to a multiple of W, so all ranks get as many samples and batches.
    [Theory]
    [MemberData(nameof(ShardCases))]
    public void Shards_split_each_epoch_into_equal_interleaved_parts(int n, int batch, int world, bool shuffle, bool dropLast)
    {
        var whole = Make(n, batch, shuffle, dropLast, seed: 9);
        var shards = Enumerable.Range(0, world).Select(r => Make(n, batch, shuffle, dropLast, seed: 9).Shard(r, world)).ToArray();
        int perRank = dropLast ? n / world : (n + world - 1) / world;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var order = Epoch(whole.GetEpoch(epoch)).SelectMany(ids => ids).ToArray();
            if (dropLast) order = Epoch(Make(n, 1, shuffle, false, seed: 9).GetEpoch(epoch)).SelectMany(ids => ids).ToArray();
            var seen = new List<int>();
            for (int r = 0; r < world; r++)
            {
                var batches = Epoch(shards[r]);
                Assert.Equal(shards[0].Count, batches.Count);
                Assert.Equal(shards[r].Count, batches.Count);
                Assert.Equal(perRank, shards[r].SamplesPerEpoch);
                var mine = batches.SelectMany(ids => ids).ToArray();
                Assert.Equal(dropLast ? perRank / batch * batch : perRank, mine.Length);
                // Position i of rank r's epoch is position i·W + r of the common order, wrapping past N.
                for (int i = 0; i < mine.Length; i++) Assert.Equal(order[(i * world + r) % n], mine[i]);
                seen.AddRange(mine);
            }
            if (!dropLast) Assert.Equal(Enumerable.Range(0, n), seen.Distinct().Order());
            if (n % world == 0 && !dropLast) Assert.Equal(n, seen.Count);   // disjoint when nothing is padded
            if (dropLast) Assert.Equal(seen.Count, seen.Distinct().Count());
        }
    }

    [Fact]
    public void Shards_agree_within_an_epoch_and_reshuffle_between_epochs()
    {
        var a = Make(40, 5, shuffle: true, dropLast: false, seed: 3).Shard(0, 2);
        var b = Make(40, 5, shuffle: true, dropLast: false, seed: 3).Shard(1, 2);
        var epochs = Enumerable.Range(0, 3).Select(_ => Epoch(a).SelectMany(i => i).Concat(Epoch(b).SelectMany(i => i)).ToArray()).ToArray();
        Assert.All(epochs, e => Assert.Equal(Enumerable.Range(0, 40), e.Order()));
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.Equal(3, a.EpochsStarted);
        Assert.Equal(epochs[1][..20], Epoch(Make(40, 5, true, false, seed: 3).Shard(0, 2).GetEpoch(1)).SelectMany(i => i));
    }

    [Fact]
    public void Shards_augment_with_different_seeds()
    {
        var seeds = new List<ulong>[2];
        for (int r = 0; r < 2; r++)
        {
            var list = seeds[r] = [];
            var shard = new DataLoader(Tensor.Ones(8, 1), Tensor.Ones(8, 1), 2) { Transform = (x, seed) => { list.Add(seed); return x; } }.Shard(r, 2);
            foreach (var _ in shard) { }
        }
        Assert.Equal(2, seeds[0].Count);
        Assert.Empty(seeds[0].Intersect(seeds[1]));
    }

    public static TheoryData<int, int, string> BadShards() => new()
    {
        { 0, 0, "worldSize" },
        { -1, 2, "rank" },
        { 2, 2, "rank" },
        { 3, -1, "worldSize" },
    };

    [Theory]
    [MemberData(nameof(BadShards))]
    public void Bad_shards_are_refused_naming_the_argument(int rank, int world, string name)
    {
        var loader = Make(4, 2, false, false);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => loader.Shard(rank, world));
        Assert.Equal(name, e.ParamName);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => loader.Shard(0, 2).Shard(0, 2));
    }
}
