namespace DeepLearning.Tests.Data;

public class SequenceWindowsTests
{
    private static readonly int[] Tokens = Enumerable.Range(0, 103).ToArray();

    [Fact]
    public void Without_shuffling_windows_follow_the_sequence_and_targets_are_shifted_by_one()
    {
        var data = new SequenceWindows(Tokens, batchSize: 4, steps: 10, shuffle: false);
        Assert.Equal(10, data.Windows);
        Assert.Equal(3, data.Count);
        var batches = data.Select(b => (b.X.Shape, X: b.X.ToArray(), Y: b.Y.ToArray())).ToList();
        Assert.Equal([new Shape(4, 10), new Shape(4, 10), new Shape(2, 10)], batches.Select(b => b.Shape));
        var xs = batches.SelectMany(b => b.X).ToArray();
        var ys = batches.SelectMany(b => b.Y).ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), xs);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (float)i), ys);
    }

    [Fact]
    public void Shuffled_epochs_differ_cover_distinct_windows_and_repeat_for_a_seed()
    {
        var data = new SequenceWindows(Tokens, batchSize: 3, steps: 10, shuffle: true, seed: 7);
        float[][] Epoch(int e) => data.GetEpoch(e).SelectMany(b => Rows(b.X)).ToArray();
        var e0 = Epoch(0);
        Assert.Equal(data.Windows, e0.Length);
        Assert.Equal(e0.Length, e0.Select(r => r[0]).Distinct().Count());
        foreach (var row in e0)
            for (int t = 1; t < row.Length; t++) Assert.Equal(row[0] + t, row[t]); // a contiguous window
        Assert.Equal(e0, Epoch(0));
        Assert.NotEqual(e0.Select(r => r[0]), Epoch(1).Select(r => r[0]));
    }

    private static IEnumerable<float[]> Rows(Tensor x)
    {
        var a = x.ToArray();
        for (int i = 0; i < x.Shape[0]; i++) yield return a[(i * x.Shape[1])..((i + 1) * x.Shape[1])];
    }

    [Fact]
    public void A_sequence_shorter_than_one_window_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new SequenceWindows([1, 2, 3], batchSize: 2, steps: 3));
        Assert.Contains("3 tokens are too few for one window of 3 steps", e.Message, StringComparison.Ordinal);
    }
}
