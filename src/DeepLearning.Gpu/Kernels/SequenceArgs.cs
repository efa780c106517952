namespace DeepLearning.Backends.Ilgpu;

/// <summary>One matrix of a recurrent cell, addressed row by row: element j of row b is at <c>Offset + b·Stride + j</c>.</summary>
internal struct RowMatrix
{
    public int Offset, Stride;

    public RowMatrix(int offset, int stride)
    {
        Offset = offset;
        Stride = stride;
    }

    public readonly long At(int b, int j) => Offset + (long)b * Stride + j;
}

/// <summary>
/// The scalar arguments of the LSTM and GRU cell kernels: launcher delegates stop at 16 type arguments, and a backward
/// cell has seven matrices of two integers each. The slots A … G are named per kernel in its launcher.
/// </summary>
internal struct CellArgs
{
    public int Hidden;
    public RowMatrix A, B, C, D, E, F, G;
}

/// <summary>The scalar arguments of the layer-norm kernels; offsets are element offsets into the view of the same name.</summary>
internal struct LayerNormArgs
{
    public int Rows, Cols;
    public int X, Gamma, Beta, Y, Mean, Rstd, Dy, Dx, DGamma, DBeta;
    public float Epsilon;
}
