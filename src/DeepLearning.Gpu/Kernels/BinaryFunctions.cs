using ILGPU.Algorithms;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>A function of two broadcast operands, as a struct so each binary kernel is specialised per function.</summary>
internal interface IBinaryFunction
{
    float Apply(float a, float b);
}

internal readonly struct AddB : IBinaryFunction
{
    public float Apply(float a, float b) => a + b;
}

internal readonly struct SubB : IBinaryFunction
{
    public float Apply(float a, float b) => a - b;
}

internal readonly struct MulB : IBinaryFunction
{
    public float Apply(float a, float b) => a * b;
}

internal readonly struct DivB : IBinaryFunction
{
    public float Apply(float a, float b) => a / b;
}

internal readonly struct PowB : IBinaryFunction
{
    public float Apply(float a, float b) => XMath.Pow(a, b);
}

internal readonly struct MaximumB : IBinaryFunction
{
    public float Apply(float a, float b) => Scalar.Max(a, b);
}

internal readonly struct MinimumB : IBinaryFunction
{
    public float Apply(float a, float b) => Scalar.Min(a, b);
}

internal readonly struct GreaterEqualB : IBinaryFunction
{
    public float Apply(float a, float b) => a >= b ? 1f : 0f;
}

internal readonly struct GreaterB : IBinaryFunction
{
    public float Apply(float a, float b) => a > b ? 1f : 0f;
}

internal readonly struct EqualB : IBinaryFunction
{
    public float Apply(float a, float b) => a == b ? 1f : 0f;
}

/// <summary>a where b ≠ 0 (NaN counts as nonzero), else 0.</summary>
internal readonly struct KeepWhereB : IBinaryFunction
{
    public float Apply(float a, float b) => b != 0f ? a : 0f;
}

internal readonly struct KeepWhereNotB : IBinaryFunction
{
    public float Apply(float a, float b) => b == 0f ? a : 0f;
}
