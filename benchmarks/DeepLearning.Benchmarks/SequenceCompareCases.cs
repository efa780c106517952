namespace DeepLearning.Benchmarks;

/// <summary>
/// Forward and backward of an <see cref="Lstm"/> layer (issue 14): batch 64, 50 steps, 128 inputs → 256 hidden, from a
/// zero state, gradients of the four weights of <c>Σ output</c> (PyTorch: <c>nn.LSTM(128, 256, batch_first=True)</c>,
/// <c>out.sum().backward()</c>).
/// </summary>
public sealed class LstmForwardBackward : CompareCase
{
    private readonly Lstm _lstm = new(128, 256, seed: 1);
    private readonly Tensor _x = Tensor.RandN(new Shape(64, 50, 128), seed: 2);
    private readonly Tensor[] _sources;
    private readonly Func<Tensor> _f;

    /// <summary>Creates the layer and the input.</summary>
    public LstmForwardBackward()
    {
        _sources = [.. _lstm.Parameters()];
        _f = () => _lstm.Forward(_x).Sum();
    }

    /// <inheritdoc/>
    public override string Name => "lstm_fwd_bwd";

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            using (TensorScope.Begin())
                Autodiff.ValueAndGradient(_f, _sources);
        }
    }
}

/// <summary>
/// Forward and backward of a <see cref="TransformerBlock"/> (issue 14): d = 128, 4 heads, feed-forward 512, sequence 64,
/// batch 32, gradients of <c>Σ output</c> for every parameter (PyTorch: <c>nn.TransformerEncoderLayer(128, 4, 512,
/// dropout=0, batch_first=True, norm_first=True)</c>, <c>out.sum().backward()</c>).
/// </summary>
public sealed class TransformerForwardBackward : CompareCase
{
    private readonly TransformerBlock _block = new(128, 4, 512, seed: 1);
    private readonly Tensor _x = Tensor.RandN(new Shape(32, 64, 128), seed: 2);
    private readonly Tensor[] _sources;
    private readonly Func<Tensor> _f;

    /// <summary>Creates the block and the input.</summary>
    public TransformerForwardBackward()
    {
        _sources = [.. _block.Parameters()];
        _f = () => _block.Forward(_x).Sum();
    }

    /// <inheritdoc/>
    public override string Name => "transformer_fwd_bwd";

    /// <inheritdoc/>
    public override void Run(int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            using (TensorScope.Begin())
                Autodiff.ValueAndGradient(_f, _sources);
        }
    }
}
