namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// The scalar arguments of the batch-norm kernels in one struct: ILGPU launchers are delegates, which stop at 16 type
/// arguments, and the backward alone has 20 parameters. Offsets are element offsets into the view of the same name.
/// </summary>
internal struct BatchNormArgs
{
    public int N, C, S;
    public int X, Dy, Mean, Variance, Gamma, Beta, Y, DGamma, DBeta, RunningMean, RunningVar;

    /// <summary>Bit 0: update the running mean; bit 1: the running variance.</summary>
    public int Update;

    public float Epsilon;

    /// <summary>Running-stat weights: <c>1 − momentum</c>, <c>momentum</c>, and <c>momentum·m/(m − 1)</c> for the variance.</summary>
    public float Keep, Momentum, VarMomentum;

    /// <summary>Values of one channel: m = n·s.</summary>
    public readonly int M => N * S;

    /// <summary>The channel of flat element i of [n, c, s].</summary>
    public readonly int ChannelOf(int i) => i / S % C;

    /// <summary>Where value t (of n·s) of channel ch lies, relative to the tensor's offset: run t / s, element t % s of it.</summary>
    public readonly long Element(int ch, int t)
    {
        int i = t / S, j = t - i * S;
        return ((long)i * C + ch) * S + j;
    }
}
