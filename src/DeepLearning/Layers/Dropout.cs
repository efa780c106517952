using System.Globalization;

namespace DeepLearning;

/// <summary>
/// Inverted dropout: in training each element is zeroed with probability <see cref="P"/> and the rest scaled by
/// <c>1/(1 − p)</c>, so the expected output equals the input; in evaluation it is the identity.
/// </summary>
/// <remarks>
/// Masks come from the counter-based generator: call k of a layer uses counter <c>k·2³²</c> of the layer's seed, so
/// successive calls draw different masks while a run from the same seed repeats exactly.
/// </remarks>
public sealed class Dropout : Layer
{
    private long _calls;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Drop probability in [0, 1).</param>
    /// <param name="seed">Seed of the masks; when null one is drawn from <see cref="Init.NextSeed"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public Dropout(float p, ulong? seed = null)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout: probability {p} is outside [0, 1)");
        P = p;
        Seed = seed ?? Init.NextSeed();
    }

    /// <summary>The drop probability.</summary>
    public float P { get; }

    /// <summary>The seed of the masks.</summary>
    public ulong Seed { get; }

    /// <summary>Masks drawn so far: the position in the mask stream, saved by checkpoints so a resumed run draws the same masks.</summary>
    internal long Calls
    {
        get => Interlocked.Read(ref _calls);
        set => Interlocked.Exchange(ref _calls, value);
    }

    /// <summary>In training <c>x ⊙ mask / (1 − p)</c> with a fresh mask; in evaluation <paramref name="input"/> itself.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || P == 0f) return input;
        ulong call = (ulong)(Interlocked.Increment(ref _calls) - 1);
        return input.Dropout(P, Seed, call << 32);
    }

    /// <summary><c>Dropout(0.2)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Dropout({P})");
}
