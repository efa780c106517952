namespace DeepLearning;

/// <summary>
/// Runs one recurrent layer forward in time and another over the reversed sequence, and joins their outputs along the
/// last axis (Keras' <c>Bidirectional</c>, PyTorch's <c>bidirectional=True</c>): for sequence outputs
/// <c>[batch, time, h_f + h_b]</c>, the backward layer's output flipped back so step t of both lines up; for
/// last-step outputs <c>[batch, h_f + h_b]</c>, the backward layer's last step is the first time step.
/// </summary>
/// <remarks>Parameters (and buffers) carry PyTorch's names for a bidirectional RNN: the forward layer's as they are
/// (<c>weight_ih_l0</c>, …), the backward layer's with <c>_reverse</c> appended (<c>weight_ih_l0_reverse</c>, …), so a
/// <c>Bidirectional(Lstm, Lstm)</c> state dict interchanges with <c>nn.LSTM(…, bidirectional=True)</c>'s. A stacked
/// bidirectional PyTorch RNN feeds each layer both directions of the one below (its <c>weight_ih_l1</c> is
/// <c>[4H, 2H]</c>): that is a chain of single-layer <see cref="Bidirectional"/>s, not one over two stacks.</remarks>
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

    // The two layers stay children (modes reach them, they are listed as layers), but their parameters are listed here
    // first under PyTorch's names; the walk over children then skips them as already seen.
    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Parameter>> OwnParameters() =>
        Joined(ForwardLayer.NamedParameters(), BackwardLayer.NamedParameters());

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Tensor>> OwnBuffers() =>
        Joined(ForwardLayer.NamedBuffers(), BackwardLayer.NamedBuffers());

    private static IEnumerable<KeyValuePair<string, T>> Joined<T>(IEnumerable<KeyValuePair<string, T>> forward, IEnumerable<KeyValuePair<string, T>> backward)
    {
        foreach (var p in forward) yield return p;
        foreach (var (name, value) in backward) yield return new(name + "_reverse", value);
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, Layer>> Children()
    {
        yield return new("forward", ForwardLayer);
        yield return new("backward", BackwardLayer);
    }
}
