namespace DeepLearning.Tests.Training;

public class MetricsTests
{
    // Rows' arg-max: 0, 2, 1, 1, 2, 0; labels: 0, 2, 2, 1, 0, 0 → 4 of 6 right.
    private static readonly float[,] Scores =
    {
        { 2f, 1f, 0f }, { 0f, 1f, 3f }, { 0.1f, 0.5f, 0.2f }, { -1f, 4f, 0f }, { 0f, 0f, 1f }, { 5f, 5f, 1f },
    };

    private static readonly int[] Labels = [0, 2, 2, 1, 0, 0];

    [Fact]
    public void Accuracy_counts_arg_max_hits()
    {
        Assert.Equal(4f / 6, Metrics.Accuracy(Tensor.FromArray(Scores), Labels), 1e-6f);
    }

    [Fact]
    public void Accuracy_takes_one_hot_or_index_targets()
    {
        var oneHot = new float[6, 3];
        for (int i = 0; i < 6; i++) oneHot[i, Labels[i]] = 1;
        Assert.Equal(4f / 6, Metrics.Accuracy(Tensor.FromArray(Scores), Tensor.FromArray(oneHot)), 1e-6f);
        Assert.Equal(4f / 6, Metrics.Accuracy(Tensor.FromArray(Scores), Tensor.FromArray(Labels.Select(l => (float)l).ToArray())), 1e-6f);
    }

    [Fact]
    public void Confusion_matrix_precision_recall_and_f1_by_hand()
    {
        var cm = Metrics.ConfusionMatrix(Tensor.FromArray(Scores), Labels);
        // [true, predicted]
        int[,] expected = { { 2, 0, 1 }, { 0, 1, 0 }, { 0, 1, 1 } };
        Assert.Equal(expected, cm.ToArray());
        // Precision: class 0: 2/2, class 1: 1/2, class 2: 1/2. Recall: 2/3, 1/1, 1/2.
        Assert.Equal([1, 0.5, 0.5], cm.Precision());
        Assert.Equal([2.0 / 3, 1, 0.5], cm.Recall());
        var f1 = Metrics.F1(Tensor.FromArray(Scores), Labels);
        Assert.Equal(2 * 1 * (2.0 / 3) / (1 + 2.0 / 3), f1[0], 1e-12);
        Assert.Equal(2 * 0.5 / 1.5, f1[1], 1e-12);
        Assert.Equal(0.5, f1[2], 1e-12);
        Assert.Equal(4.0 / 6, cm.Accuracy(), 1e-12);
    }

    [Fact]
    public void A_class_never_predicted_has_zero_precision()
    {
        var cm = Metrics.ConfusionMatrix([0, 0, 0], [0, 1, 1], classes: 3);
        Assert.Equal([1.0 / 3, 0, 0], cm.Precision());
        Assert.Equal([1, 0, 0], cm.Recall());
        Assert.Equal(0, cm.F1()[2]);
    }

    [Fact]
    public void Mismatched_lengths_are_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Metrics.Accuracy(Tensor.FromArray(Scores), [0, 1, 2]));
        Assert.Contains("6 rows", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 entries", e.Message, StringComparison.Ordinal);
        var o = Assert.Throws<ArgumentException>(() => Metrics.Accuracy(Tensor.FromArray(Scores), Tensor.Zeros(6, 4)));
        Assert.Contains("[6,4]", o.Message.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var c = Assert.Throws<ArgumentException>(() => Metrics.ConfusionMatrix([0, 1], [0], 2));
        Assert.Contains("2 predictions but 1 labels", c.Message, StringComparison.Ordinal);
        var r = Assert.Throws<ArgumentException>(() => Metrics.Accuracy(Tensor.FromArray(Scores), [0, 1, 2, 3, 0, 0]));
        Assert.Contains("label 3 at index 3", r.Message, StringComparison.Ordinal);
    }
}
