namespace DeepLearning;

/// <summary>
/// Random splits of a data set (X, Y) into disjoint parts (scikit-learn's <c>train_test_split</c>): the samples are
/// shuffled by a seeded permutation, then cut by fractions. Every sample lands in exactly one part.
/// </summary>
/// <remarks>
/// Part sizes: <c>test = round(N·testFraction)</c>, <c>validation = round(N·validationFraction)</c>, train the rest.
/// Rows are copied (each part is a new tensor); labels are reordered the same way as their inputs.
/// </remarks>
public static class DataSplit
{
    /// <summary>Splits (X, Y) into train and test parts.</summary>
    /// <param name="x">Inputs, N along the first axis.</param>
    /// <param name="y">Targets, N along the first axis.</param>
    /// <param name="testFraction">Fraction of samples in the test part, in [0, 1].</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <exception cref="ArgumentException">The first dimensions differ, or the fraction is outside [0, 1].</exception>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) TrainTest(Tensor x, Tensor y, float testFraction, ulong seed)
    {
        var (train, _, test) = TrainValidationTest(x, y, 0f, testFraction, seed);
        return (train, test);
    }

    /// <summary>Splits (X, labels) into train and test parts.</summary>
    /// <inheritdoc cref="TrainTest(Tensor, Tensor, float, ulong)"/>
    public static ((Tensor X, int[] Labels) Train, (Tensor X, int[] Labels) Test) TrainTest(Tensor x, int[] labels, float testFraction, ulong seed)
    {
        var (train, _, test) = TrainValidationTest(x, labels, 0f, testFraction, seed);
        return (train, test);
    }

    /// <summary>Splits (X, Y) into train, validation and test parts.</summary>
    /// <param name="x">Inputs, N along the first axis.</param>
    /// <param name="y">Targets, N along the first axis.</param>
    /// <param name="validationFraction">Fraction of samples in the validation part, in [0, 1].</param>
    /// <param name="testFraction">Fraction of samples in the test part, in [0, 1].</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <exception cref="ArgumentException">The first dimensions differ, or the fractions are outside [0, 1] or sum above 1.</exception>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Validation, (Tensor X, Tensor Y) Test) TrainValidationTest(
        Tensor x, Tensor y, float validationFraction, float testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.Rank == 0) throw new ArgumentException($"DataSplit: Y {y.Shape} has no sample axis", nameof(y));
        var parts = Plan(x, y.Shape[0], validationFraction, testFraction, seed);
        (Tensor, Tensor) Take(int[] rows) => (x.GatherRows(rows), y.GatherRows(rows));
        return (Take(parts[0]), Take(parts[1]), Take(parts[2]));
    }

    /// <summary>Splits (X, labels) into train, validation and test parts.</summary>
    /// <inheritdoc cref="TrainValidationTest(Tensor, Tensor, float, float, ulong)"/>
    public static ((Tensor X, int[] Labels) Train, (Tensor X, int[] Labels) Validation, (Tensor X, int[] Labels) Test) TrainValidationTest(
        Tensor x, int[] labels, float validationFraction, float testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var parts = Plan(x, labels.Length, validationFraction, testFraction, seed);
        (Tensor, int[]) Take(int[] rows)
        {
            var l = new int[rows.Length];
            for (int i = 0; i < rows.Length; i++) l[i] = labels[rows[i]];
            return (x.GatherRows(rows), l);
        }
        return (Take(parts[0]), Take(parts[1]), Take(parts[2]));
    }

    /// <summary>The sample indices of the train, validation and test parts, each in shuffled order.</summary>
    internal static int[][] Plan(Tensor x, int yLength, float validationFraction, float testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) throw new ArgumentException($"DataSplit: X {x.Shape} has no sample axis", nameof(x));
        int n = x.Shape[0];
        if (n != yLength)
            throw new ArgumentException($"DataSplit: X has {n} samples (shape {x.Shape}) but Y has {yLength}");
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction <= 1))
            throw new ArgumentException($"DataSplit: validation fraction {validationFraction} and test fraction {testFraction} must lie in [0, 1] and sum to at most 1");
        int test = (int)Math.Round((double)n * testFraction, MidpointRounding.AwayFromZero);
        int validation = Math.Min(n - test, (int)Math.Round((double)n * validationFraction, MidpointRounding.AwayFromZero));
        var order = new SeededRandom(seed, 3).Permutation(n);
        int train = n - validation - test;
        return [order[..train], order[train..(train + validation)], order[(train + validation)..]];
    }
}
