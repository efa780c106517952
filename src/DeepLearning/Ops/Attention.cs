namespace DeepLearning;

// What attention needs besides products: a causal mask and a softmax that ignores masked positions. The masked softmax
// is composed from recorded ops (Where, Softmax, Multiply), so it needs no rule of its own; it stays finite where every
// position of a row is masked (that row is all zeros, not NaN as softmax over −∞ would give).
public partial class Tensor
{
    /// <summary>
    /// The causal mask <c>[steps, steps]</c>: 1 where key position j ≤ query position i (a step may attend to itself and
    /// the past), 0 above the diagonal.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is not positive.</exception>
    public static Tensor CausalMask(int steps, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var m = new float[steps * steps];
        for (int i = 0; i < steps; i++)
            for (int j = 0; j <= i; j++) m[i * steps + j] = 1f;
        return FromSpan(m, new Shape(steps, steps), device);
    }

    /// <summary>
    /// Softmax over the last axis of <paramref name="scores"/> counting only positions where <paramref name="mask"/>
    /// (broadcast to the scores' shape) is nonzero: masked positions get probability 0, and a row with every position
    /// masked is all zeros. Computed stably (masked scores are replaced, not offset by a large number).
    /// </summary>
    /// <exception cref="ArgumentException">The mask does not broadcast to the scores' shape.</exception>
    public static Tensor MaskedSoftmax(Tensor scores, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(mask);
        if (Shape.Broadcast(scores.Shape, mask.Shape, "MaskedSoftmax") != scores.Shape)
            throw new ArgumentException($"MaskedSoftmax: mask {mask.Shape} does not broadcast to the scores' shape {scores.Shape}", nameof(mask));
        // A masked score becomes the float minimum: exp(min − max) is exactly 0 beside any unmasked score, and a fully
        // masked row becomes uniform, which the multiplication by the mask then zeroes.
        var keep = Where(mask, Full(Shape.Scalar, 1f, mask.Device), 0f);
        return Where(mask, scores, float.MinValue).Softmax() * keep;
    }
}
