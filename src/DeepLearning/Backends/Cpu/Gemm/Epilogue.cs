using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu.Gemm;

/// <summary>
/// What a dense layer does to a product before anyone reads it: add a bias per column, then optionally ReLU. Applied
/// to each tile of C right after its last k block, while the tile is still in L1, instead of in two more passes over C.
/// </summary>
internal readonly unsafe struct Epilogue
{
    /// <summary>Bias per column of the C block this epilogue sees (null: none).</summary>
    public readonly float* Bias;

    /// <summary>Whether to apply <c>max(x, 0)</c> after the bias (NaN stays NaN).</summary>
    public readonly bool Relu;

    public Epilogue(float* bias, bool relu)
    {
        Bias = bias;
        Relu = relu;
    }

    public bool IsNone => Bias == null && !Relu;

    /// <summary>The epilogue of the C block that starts <paramref name="columns"/> columns to the right.</summary>
    public Epilogue Shift(int columns) => new(Bias == null ? null : Bias + columns, Relu);

    /// <summary>Applies to <paramref name="rows"/>×<paramref name="cols"/> of C at <paramref name="c"/>, whose first column is column <paramref name="column"/> of the block.</summary>
    public void Apply(float* c, long ldc, int rows, int cols, int column)
    {
        if (IsNone) return;
        float* bias = Bias == null ? null : Bias + column;
        for (int i = 0; i < rows; i++)
        {
            float* ci = c + i * ldc;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j <= cols - 16; j += 16)
                {
                    var v = Vector512.Load(ci + j);
                    if (bias != null) v += Vector512.Load(bias + j);
                    if (Relu) v = Vector512.ConditionalSelect(Vector512.LessThan(v, Vector512<float>.Zero), Vector512<float>.Zero, v);
                    v.Store(ci + j);
                }
            else if (Vector256.IsHardwareAccelerated)
                for (; j <= cols - 8; j += 8)
                {
                    var v = Vector256.Load(ci + j);
                    if (bias != null) v += Vector256.Load(bias + j);
                    if (Relu) v = Vector256.ConditionalSelect(Vector256.LessThan(v, Vector256<float>.Zero), Vector256<float>.Zero, v);
                    v.Store(ci + j);
                }
            for (; j < cols; j++)
            {
                float v = ci[j] + (bias == null ? 0f : bias[j]);
                ci[j] = Relu && v < 0f ? 0f : v;
            }
        }
    }
}
