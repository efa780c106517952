namespace DeepLearning.Backends;

/// <summary>
/// The shape of one 2-D convolution or pooling window sweep, as the backend primitives receive it: input
/// <c>[Batch, InChannels, Height, Width]</c>, output <c>[Batch, OutChannels, OutHeight, OutWidth]</c>, weight
/// <c>[OutChannels, InChannels/Groups, KernelHeight, KernelWidth]</c> (PyTorch's layout). Output pixel (oy, ox) reads
/// input rows <c>oy·StrideH − PadTop + i·DilationH</c> and columns <c>ox·StrideW − PadLeft + j·DilationW</c>; positions
/// outside the input are padding (zero for convolution, ignored by max pooling). A 1-D convolution is the case
/// <c>Height = KernelHeight = 1</c>. For pooling, <c>OutChannels = InChannels = Groups</c>.
/// </summary>
/// <param name="Batch">Images in the batch.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="Height">Input height.</param>
/// <param name="Width">Input width.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Groups">Channel groups: output channel o sees input channels of group <c>o / (OutChannels/Groups)</c>.</param>
/// <param name="KernelHeight">Window height.</param>
/// <param name="KernelWidth">Window width.</param>
/// <param name="StrideH">Vertical step between output rows.</param>
/// <param name="StrideW">Horizontal step between output columns.</param>
/// <param name="PadTop">Padding rows above the input.</param>
/// <param name="PadLeft">Padding columns left of the input.</param>
/// <param name="DilationH">Vertical spacing of the window's taps.</param>
/// <param name="DilationW">Horizontal spacing of the window's taps.</param>
/// <param name="OutHeight">Output height (fixed by the caller, which knows the bottom padding).</param>
/// <param name="OutWidth">Output width (likewise with the right padding).</param>
public readonly record struct ConvGeometry(
    int Batch, int InChannels, int Height, int Width, int OutChannels, int Groups,
    int KernelHeight, int KernelWidth, int StrideH, int StrideW, int PadTop, int PadLeft,
    int DilationH, int DilationW, int OutHeight, int OutWidth)
{
    /// <summary>Input channels per group.</summary>
    public int GroupInChannels => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OutChannels / Groups;

    /// <summary>Rows of one group's im2col matrix: <c>InChannels/Groups · KernelHeight · KernelWidth</c>.</summary>
    public int GroupPatch => GroupInChannels * KernelHeight * KernelWidth;

    /// <summary>Pixels of one output plane.</summary>
    public int OutPlane => OutHeight * OutWidth;

    /// <summary>Pixels of one input plane.</summary>
    public int InPlane => Height * Width;

    /// <summary>Whether the window is one tap that reads the input as is (1×1, stride 1, no padding): im2col is the identity.</summary>
    public bool IsPointwise => KernelHeight == 1 && KernelWidth == 1 && StrideH == 1 && StrideW == 1 && PadTop == 0 && PadLeft == 0
        && OutHeight == Height && OutWidth == Width;
}
