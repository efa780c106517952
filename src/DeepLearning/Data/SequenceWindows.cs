using System.Collections;

namespace DeepLearning;

/// <summary>
/// Cuts a long token sequence into batches of windows for next-token prediction: each sample is <c>steps</c> tokens
/// <c>X</c> and the same window shifted by one, <c>Y</c>, both <c>[batch, steps]</c> as float ids (for an
/// <see cref="Embedding"/> and a cross-entropy over the vocabulary). Windows do not overlap; when shuffling, each epoch
/// shifts the grid of windows by a random offset and visits them in a random order, both from (seed, epoch).
/// </summary>
/// <remarks>Like <see cref="DataLoader"/>, each batch lives in a scope that ends when the enumeration moves on.</remarks>
public sealed class SequenceWindows : IReadOnlyCollection<(Tensor X, Tensor Y)>
{
    private readonly int[] _tokens;
    private int _epochs;

    /// <summary>Creates the loader.</summary>
    /// <param name="tokens">The sequence (copied).</param>
    /// <param name="batchSize">Windows per batch (the last batch may be smaller).</param>
    /// <param name="steps">Tokens per window.</param>
    /// <param name="shuffle">Whether to shift and shuffle the windows every epoch.</param>
    /// <param name="seed">Seed of the shifts and orders.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">The sequence is too short for one window of <paramref name="steps"/> + 1 tokens.</exception>
    public SequenceWindows(ReadOnlySpan<int> tokens, int batchSize, int steps, bool shuffle = true, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        if (tokens.Length < steps + 1)
            throw new ArgumentException($"SequenceWindows: {tokens.Length} tokens are too few for one window of {steps} steps and its target (need {steps + 1})", nameof(tokens));
        _tokens = tokens.ToArray();
        BatchSize = batchSize;
        Steps = steps;
        Shuffle = shuffle;
        Seed = seed;
    }

    /// <summary>Windows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Tokens per window.</summary>
    public int Steps { get; }

    /// <summary>Whether each epoch shifts and shuffles the windows.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shifts and orders.</summary>
    public ulong Seed { get; }

    /// <summary>Windows per epoch (the same for every shift: the grid keeps one token spare for the shift).</summary>
    public int Windows => Math.Max(1, (_tokens.Length - 1 - (Shuffle ? Steps - 1 : 0)) / Steps);

    /// <summary>Batches per epoch.</summary>
    public int Count => (Windows + BatchSize - 1) / BatchSize;

    /// <summary>The batches of the next epoch.</summary>
    public IEnumerator<(Tensor X, Tensor Y)> GetEnumerator() => GetEpoch(Interlocked.Increment(ref _epochs) - 1).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The batches of epoch <paramref name="epoch"/> (the same every time it is asked for).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public IEnumerable<(Tensor X, Tensor Y)> GetEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Batches(epoch);
    }

    private IEnumerable<(Tensor X, Tensor Y)> Batches(int epoch)
    {
        int windows = Windows, shift = 0;
        int[]? order = null;
        if (Shuffle)
        {
            var rng = new SeededRandom(Seed, 1, (ulong)epoch);
            shift = Math.Min(rng.NextInt(Steps), _tokens.Length - 1 - windows * Steps);
            order = rng.Permutation(windows);
        }
        for (int b = 0; b < Count; b++)
        {
            var scope = TensorScope.Begin("when its SequenceWindows moved on to the next batch");
            try
            {
                yield return MakeBatch(order, shift, b, windows);
            }
            finally
            {
                scope.Dispose();
            }
        }
    }

    private (Tensor X, Tensor Y) MakeBatch(int[]? order, int shift, int b, int windows)
    {
        int start = b * BatchSize, size = Math.Min(BatchSize, windows - start);
        var x = new float[size * Steps];
        var y = new float[size * Steps];
        for (int i = 0; i < size; i++)
        {
            int w = order?[start + i] ?? start + i, at = shift + w * Steps;
            for (int t = 0; t < Steps; t++)
            {
                x[i * Steps + t] = _tokens[at + t];
                y[i * Steps + t] = _tokens[at + t + 1];
            }
        }
        var shape = new Shape(size, Steps);
        return (Tensor.FromSpan(x, shape), Tensor.FromSpan(y, shape));
    }
}
