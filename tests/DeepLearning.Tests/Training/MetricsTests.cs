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

    public static TheoryData<float[], int[], float> BinaryCases() => new()
    {
        // 0.5 itself is not above the threshold: predicted 0.
        { [0.9f, 0.2f, 0.5f, 0.7f], [1, 0, 1, 0], 0.5f },
        { [0.1f, 0.6f, 0.4f, 0.51f], [0, 1, 0, 1], 1f },
    };

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Accuracy_of_one_sigmoid_output_per_sample_is_binary_accuracy(float[] probabilities, int[] targets, float expected)
    {
        var t = targets.Select(v => (float)v).ToArray();
        int n = t.Length;
        foreach (var scores in new[] { Tensor.FromSpan(probabilities, new Shape(n, 1)), Tensor.FromArray(probabilities) })
            foreach (var y in new[] { Tensor.FromSpan(t, new Shape(n, 1)), Tensor.FromArray(t) })
            {
                Assert.Equal(expected, Metrics.Accuracy(scores, y), 1e-6f);
                Assert.Equal(expected, Metric.Accuracy.Compute(scores, y), 1e-6);
                Assert.Equal(expected, Metric.BinaryAccuracy().Compute(scores, y), 1e-6);
            }
    }

    [Fact]
    public void Binary_accuracy_of_logits_uses_threshold_zero_and_refuses_non_binary_targets()
    {
        var logits = Tensor.FromSpan([2f, -1f, 0.3f], new Shape(3, 1));
        var y = Tensor.FromSpan([1f, 0f, 0f], new Shape(3, 1));
        Assert.Equal(2f / 3, Metrics.BinaryAccuracy(logits, y, threshold: 0f), 1e-6f);
        Assert.Equal("binary_accuracy", Metric.BinaryAccuracy(0f).Name);
        var e = Assert.Throws<ArgumentException>(() => Metrics.Accuracy(logits, Tensor.FromSpan([1f, 2f, 0f], new Shape(3, 1))));
        Assert.Contains("target 2 at index 1 is not 0 or 1", e.Message, StringComparison.Ordinal);
        var shapes = Assert.Throws<ArgumentException>(() => Metrics.BinaryAccuracy(logits, Tensor.Zeros(4, 1)));
        Assert.Contains($"outputs {new Shape(3, 1)} and targets {new Shape(4, 1)}", shapes.Message, StringComparison.Ordinal);
    }

    public static TheoryData<int, float> TopKCases() => new()
    {
        // Labels 0, 2, 2, 1, 0, 0 of Scores. Ranks of the true class (1 + classes strictly higher): 1, 1, 2, 1, 2, 1
        // (the last row ties 5, 5: the true class 0 has none above it).
        { 1, 4f / 6 },
        { 2, 1f },
        { 3, 1f },
    };

    [Theory]
    [MemberData(nameof(TopKCases))]
    public void Top_k_accuracy_counts_the_true_class_among_the_k_highest(int k, float expected)
    {
        var labels = Tensor.FromArray(Labels.Select(l => (float)l).ToArray());
        Assert.Equal(expected, Metrics.TopKAccuracy(Tensor.FromArray(Scores), labels, k), 1e-6f);
        var metric = Metric.TopKAccuracy(k);
        Assert.Equal($"top_{k}_accuracy", metric.Name);
        Assert.Equal(expected, metric.Compute(Tensor.FromArray(Scores), labels), 1e-6);
    }

    [Fact]
    public void Top_k_ties_at_the_boundary_count_as_hits()
    {
        // Row 0: the true class 2 ties class 1 for second place behind class 0; row 1: three-way tie, true class 1.
        var scores = Tensor.FromArray(new float[,] { { 3f, 1f, 1f, 0f }, { 2f, 2f, 2f, 0f }, { 0f, 1f, 2f, 3f } });
        var oneHot = Tensor.FromArray(new float[,] { { 0, 0, 1, 0 }, { 0, 1, 0, 0 }, { 1, 0, 0, 0 } });
        Assert.Equal(2f / 3, Metrics.TopKAccuracy(scores, oneHot, 2), 1e-6f);
        Assert.Equal(1f / 3, Metrics.TopKAccuracy(scores, oneHot, 1), 1e-6f);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metric.TopKAccuracy(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.TopKAccuracy(scores, oneHot, 0));
    }
}
