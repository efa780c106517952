namespace DeepLearning;

/// <summary>
/// Runs one recurrent layer forward in time and another over the reversed sequence, and joins their outputs along the
/// last axis (Keras' <c>Bidirectional</c>, PyTorch's <c>bidirectional=True</c>): for sequence outputs
/// <c>[batch, time, h_f + h_b]</c>, the backward layer's output flipped back so step t of both lines up; for
/// last-step outputs <c>[batch, h_f + h_b]</c>, the backward layer's last step is the first time step.
/// </summary>
/// <remarks>Parameters are named <c>forward.…</c> and <c>backward.…</c> (PyTorch's single module names the second set
/// <c>weight_ih_l0_reverse</c>; copy them across by these names).</remarks>
public sealed class Bidirectional : Layer
{
    /// <summary>Combines <paramref name="forward"/> and <paramref name="backward"/> (two separate layers, usually of one kind).</summary>
    /// <exception cref="ArgumentException">The two are the same object (their weights would be shared).</exception>
    public Bidirectional(Layer forward, Layer backward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(backward);
        if (ReferenceEquals(forward, backward))
            throw new ArgumentException("Bidirectional: the forward and backward layers must be two layers, not one used twice", nameof(backward));
        ForwardLayer = forward;
        BackwardLayer = backward;
    }

    /// <summary>The layer reading the sequence in order.</summary>
    public Layer ForwardLayer { get; }

    /// <summary>The layer reading the sequence reversed.</summary>
    public Layer BackwardLayer { get; }

    /// <summary>Both directions over <paramref name="input"/> <c>[batch, time, features]</c>, joined along the last axis.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[batch, time, features]</c>, or a layer refuses it.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3) throw new ArgumentException($"{this}: input {input.Shape} must be [batch, time, features]", nameof(input));
        var f = ForwardLayer.Forward(input);
        var b = BackwardLayer.Forward(input.Flip(1));
        if (b.Rank == 3) b = b.Flip(1);
        return Tensor.Concat(-1, f, b);
    }

    /// <summary><c>Bidirectional(Lstm(8 => 16), Lstm(8 => 16))</c>.</summary>
    public override string ToString() => $"Bidirectional({ForwardLayer}, {BackwardLayer})";

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Layer>> Children()
    {
        yield return new("forward", ForwardLayer);
        yield return new("backward", BackwardLayer);
    }
}
