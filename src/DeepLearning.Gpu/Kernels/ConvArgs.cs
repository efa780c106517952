namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// The scalar arguments of the convolution and pooling kernels: the geometry (copied field by field from
/// <see cref="ConvGeometry"/>, whose computed properties kernels need not compile) and element offsets into the views of
/// the same name. Launcher delegates stop at 16 type arguments, and the geometry alone has 16 integers.
/// </summary>
internal struct ConvArgs
{
    public int N, C, H, W, O, Groups, Kh, Kw, Sh, Sw, Pt, Pl, Dh, Dw, Oh, Ow;

    /// <summary>Offsets of the operands; per kernel the slots are named in its launcher.</summary>
    public int X, Wt, Bias, Y;

    /// <summary>Bit 0: add the bias; bit 1: apply ReLU.</summary>
    public int Flags;

    /// <summary>
    /// Images per slice of a column matrix laid out [slices][rows][Split·OH·OW] (im2col and the dy reorder); the last
    /// slice is padded with zero columns. N (the constructor's value) is the plain layout [rows][N·OH·OW].
    /// </summary>
    public int Split;

    public ConvArgs(in ConvGeometry g)
    {
        N = g.Batch; C = g.InChannels; H = g.Height; W = g.Width; O = g.OutChannels; Groups = g.Groups;
        Kh = g.KernelHeight; Kw = g.KernelWidth; Sh = g.StrideH; Sw = g.StrideW; Pt = g.PadTop; Pl = g.PadLeft;
        Dh = g.DilationH; Dw = g.DilationW; Oh = g.OutHeight; Ow = g.OutWidth;
        X = Wt = Bias = Y = Flags = 0;
        Split = N;
    }

    /// <summary>Input channels per group.</summary>
    public readonly int Cg => C / Groups;

    /// <summary>Output channels per group.</summary>
    public readonly int Og => O / Groups;

    /// <summary>
    /// The output coordinate whose window tap <paramref name="k"/> lands on input coordinate <paramref name="i"/>
    /// (<c>o·s − pad + k·d = i</c>), or −1 when there is none inside [0, <paramref name="outSize"/>).
    /// </summary>
    public static int OutputOf(int i, int k, int pad, int stride, int dilation, int outSize)
    {
        int t = i + pad - k * dilation;
        if (t < 0) return -1;
        int o = t / stride;
        return o * stride == t && o < outSize ? o : -1;
    }
}
