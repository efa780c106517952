using DeepLearning.Backends;

namespace DeepLearning;

// Inverted dropout in one kernel: the mask is drawn from the counter-based generator (so a (seed, counter) pair names
// one mask on every device) and survivors are scaled by 1/(1 − p), so evaluation needs no rescale.
public partial class Tensor
{
    /// <summary>
    /// Inverted dropout: each element is zeroed with probability <paramref name="p"/> and the survivors are scaled by
    /// <c>1/(1 − p)</c>, so the expectation is unchanged. Element i is kept when <c>u_i ≥ p</c>, <c>u_i</c> being element
    /// <c>counter + i</c> of the uniform Philox stream of <paramref name="seed"/>.
    /// </summary>
    /// <param name="p">Drop probability in [0, 1).</param>
    /// <param name="seed">Seed of the mask.</param>
    /// <param name="counter">Position in the seed's stream; give each call its own so masks differ between calls.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public Tensor Dropout(float p, ulong seed, ulong counter)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout: probability {p} is outside [0, 1)");
        var y = Create(Shape, Device);
        Backend.Dropout(Buffer, Offset, y.Buffer, y.Offset, Length, p, seed, counter);
        if (Tape.Record(y, this, null, DropoutRule) is { } node)
        {
            node.Alpha = p;
            node.Seed = seed;
            node.Counter = counter;
        }
        return y;
    }

    /// <summary>
    /// Channel-wise inverted dropout (PyTorch's <c>Dropout1d/2d</c>, Keras' <c>SpatialDropout</c>): each whole channel of
    /// each sample of <c>[N, C, …]</c> is zeroed with probability <paramref name="p"/>, the rest scaled by
    /// <c>1/(1 − p)</c>; channel <c>n·C + c</c> uses element <c>counter + n·C + c</c> of the seed's stream.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">The tensor has fewer than 3 axes.</exception>
    public Tensor ChannelDropout(float p, ulong seed, ulong counter)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"ChannelDropout: probability {p} is outside [0, 1)");
        if (Rank < 3) throw new ArgumentException($"ChannelDropout: input {Shape} must be [batch, channels, spatial…]");
        var mask = DropoutMask(Shape.Of(Shape[0], Shape[1], 1), Device, p, seed, counter);
        return (Reshape(Shape.Of(Shape[0], Shape[1], Shape.Product(2, Rank))) * mask).Reshape(Shape);
    }

    /// <summary>The mask <c>(u ≥ p) / (1 − p)</c> of <paramref name="shape"/>.</summary>
    internal static Tensor DropoutMask(Shape shape, Device device, float p, ulong seed, ulong counter)
    {
        var mask = Full(shape, 1f, device);
        mask.Backend.Dropout(mask.Buffer, mask.Offset, mask.Buffer, mask.Offset, mask.Length, p, seed, counter);
        return mask;
    }

    // The mask is a function of (seed, counter): the backward redraws it instead of keeping it, dx = dy·mask.
    private static readonly BackwardRule DropoutRule = static (n, g) =>
    {
        var dx = Create(g.Shape, g.Device);
        g.Backend.Dropout(g.Buffer, g.Offset, dx.Buffer, dx.Offset, g.Length, n.Alpha, n.Seed, n.Counter);
        n.AddToA(dx);
    };
}
