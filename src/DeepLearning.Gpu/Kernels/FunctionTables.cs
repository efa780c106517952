namespace DeepLearning.Backends.Ilgpu;

/// <summary>Something done once per function struct (loading its kernel, listing it for the offline compile test).</summary>
internal interface IUnaryVisitor<out T>
{
    T Visit<TF>() where TF : struct, IUnaryFunction;
}

/// <summary>Something done once per binary function struct.</summary>
internal interface IBinaryVisitor<out T>
{
    T Visit<TF>() where TF : struct, IBinaryFunction;
}

/// <summary>The one table from <see cref="UnaryOp"/> to its function struct: a new op is a struct and a row here.</summary>
internal static class UnaryFunctions
{
    public static T Dispatch<T>(UnaryOp op, IUnaryVisitor<T> v) => op switch
    {
        UnaryOp.Identity => v.Visit<IdentityF>(),
        UnaryOp.Neg => v.Visit<NegF>(),
        UnaryOp.Exp => v.Visit<ExpF>(),
        UnaryOp.Log => v.Visit<LogF>(),
        UnaryOp.Sqrt => v.Visit<SqrtF>(),
        UnaryOp.Abs => v.Visit<AbsF>(),
        UnaryOp.Sign => v.Visit<SignF>(),
        UnaryOp.Square => v.Visit<SquareF>(),
        UnaryOp.Sigmoid => v.Visit<SigmoidF>(),
        UnaryOp.Tanh => v.Visit<TanhF>(),
        UnaryOp.Relu => v.Visit<ReluF>(),
        UnaryOp.LeakyRelu => v.Visit<LeakyReluF>(),
        UnaryOp.AddScalar => v.Visit<AddScalarF>(),
        UnaryOp.MulScalar => v.Visit<MulScalarF>(),
        UnaryOp.PowScalar => v.Visit<PowScalarF>(),
        UnaryOp.RDivScalar => v.Visit<RDivScalarF>(),
        UnaryOp.RPowScalar => v.Visit<RPowScalarF>(),
        UnaryOp.Elu => v.Visit<EluF>(),
        UnaryOp.Gelu => v.Visit<GeluF>(),
        UnaryOp.Swish => v.Visit<SwishF>(),
        UnaryOp.Softplus => v.Visit<SoftplusF>(),
        UnaryOp.HardSigmoid => v.Visit<HardSigmoidF>(),
        UnaryOp.Sin => v.Visit<SinF>(),
        UnaryOp.Cos => v.Visit<CosF>(),
        _ => throw new NotSupportedException($"GPU backend: unary op {op} is not implemented"),
    };
}

/// <summary>The one table from <see cref="BinaryOp"/> to its function struct.</summary>
internal static class BinaryFunctions
{
    public static T Dispatch<T>(BinaryOp op, IBinaryVisitor<T> v) => op switch
    {
        BinaryOp.Add => v.Visit<AddB>(),
        BinaryOp.Sub => v.Visit<SubB>(),
        BinaryOp.Mul => v.Visit<MulB>(),
        BinaryOp.Div => v.Visit<DivB>(),
        BinaryOp.Pow => v.Visit<PowB>(),
        BinaryOp.Maximum => v.Visit<MaximumB>(),
        BinaryOp.Minimum => v.Visit<MinimumB>(),
        BinaryOp.GreaterEqual => v.Visit<GreaterEqualB>(),
        BinaryOp.Greater => v.Visit<GreaterB>(),
        BinaryOp.Equal => v.Visit<EqualB>(),
        BinaryOp.KeepWhere => v.Visit<KeepWhereB>(),
        BinaryOp.KeepWhereNot => v.Visit<KeepWhereNotB>(),
        _ => throw new NotSupportedException($"GPU backend: binary op {op} is not implemented"),
    };
}
