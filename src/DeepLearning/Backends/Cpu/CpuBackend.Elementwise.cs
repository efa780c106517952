using System.Numerics.Tensors;

namespace DeepLearning.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Unary(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int length)
    {
        // TensorPrimitives.Sigmoid throws on empty spans; an empty map has nothing to do anyway.
        if (length == 0) return;
        var xa = Cpu(x).Array;
        var ya = Cpu(y).Array;
        if (length < ParallelThreshold) UnaryRange(op, alpha, xa.AsSpan(xOffset, length), ya.AsSpan(yOffset, length));
        else ForChunks(length, new UnaryChunk(op, alpha, xa, xOffset, ya, yOffset));
    }

    private readonly struct UnaryChunk(UnaryOp op, float alpha, float[] xa, int xOffset, float[] ya, int yOffset) : IChunkBody
    {
        public void Run(int s, int n) => UnaryRange(op, alpha, xa.AsSpan(xOffset + s, n), ya.AsSpan(yOffset + s, n));
    }

    private static void UnaryRange(UnaryOp op, float alpha, ReadOnlySpan<float> xs, Span<float> ys)
    {
        switch (op)
        {
            case UnaryOp.Identity: xs.CopyTo(ys); break;
            case UnaryOp.Neg: TensorPrimitives.Negate(xs, ys); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(xs, ys); break;
            case UnaryOp.Log: TensorPrimitives.Log(xs, ys); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(xs, ys); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(xs, ys); break;
            case UnaryOp.Sign: SimdLoops.Map<SignOp>(xs, ys, alpha); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(xs, xs, ys); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(xs, ys); break;
            case UnaryOp.Tanh: SimdLoops.Map<TanhOp>(xs, ys, alpha); break;
            case UnaryOp.Relu: TensorPrimitives.Max(xs, 0f, ys); break;
            case UnaryOp.LeakyRelu: SimdLoops.Map<LeakyReluOp>(xs, ys, alpha); break;
            case UnaryOp.AddScalar: TensorPrimitives.Add(xs, alpha, ys); break;
            case UnaryOp.MulScalar: TensorPrimitives.Multiply(xs, alpha, ys); break;
            case UnaryOp.PowScalar: TensorPrimitives.Pow(xs, alpha, ys); break;
            case UnaryOp.RDivScalar: TensorPrimitives.Divide(alpha, xs, ys); break;
            case UnaryOp.RPowScalar: TensorPrimitives.Pow(alpha, xs, ys); break;
            case UnaryOp.Elu: SimdLoops.Map<EluOp>(xs, ys, alpha); break;
            case UnaryOp.Gelu: SimdLoops.Map<GeluOp>(xs, ys, alpha); break;
            case UnaryOp.Swish: SimdLoops.Map<SwishOp>(xs, ys, alpha); break;
            case UnaryOp.Softplus: SimdLoops.Map<SoftplusOp>(xs, ys, alpha); break;
            case UnaryOp.HardSigmoid: SimdLoops.Map<HardSigmoidOp>(xs, ys, alpha); break;
            case UnaryOp.Sin: TensorPrimitives.Sin(xs, ys); break;
            case UnaryOp.Cos: TensorPrimitives.Cos(xs, ys); break;
            default: throw new NotSupportedException($"CPU backend: unary op {op} is not implemented");
        }
    }

    /// <inheritdoc/>
    public void UnaryBackward(UnaryOp op, float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int length)
    {
        var xa = Cpu(x).Array;
        var ya = Cpu(y).Array;
        var ga = Cpu(dy).Array;
        var da = Cpu(dx).Array;
        if (length < ParallelThreshold)
            BackwardRange(op, alpha, xa.AsSpan(xOffset, length), ya.AsSpan(yOffset, length), ga.AsSpan(dyOffset, length), da.AsSpan(dxOffset, length));
        else
            ForChunks(length, new BackwardChunk(op, alpha, xa, xOffset, ya, yOffset, ga, dyOffset, da, dxOffset));
    }

    private readonly struct BackwardChunk(UnaryOp op, float alpha, float[] xa, int xOffset, float[] ya, int yOffset,
        float[] ga, int dyOffset, float[] da, int dxOffset) : IChunkBody
    {
        public void Run(int s, int n) =>
            BackwardRange(op, alpha, xa.AsSpan(xOffset + s, n), ya.AsSpan(yOffset + s, n), ga.AsSpan(dyOffset + s, n), da.AsSpan(dxOffset + s, n));
    }

    private static void BackwardRange(UnaryOp op, float alpha, ReadOnlySpan<float> xs, ReadOnlySpan<float> ys, ReadOnlySpan<float> gs, Span<float> ds)
    {
        switch (op)
        {
            case UnaryOp.Identity: case UnaryOp.AddScalar: gs.CopyTo(ds); break;
            case UnaryOp.Neg: TensorPrimitives.Negate(gs, ds); break;
            case UnaryOp.MulScalar: TensorPrimitives.Multiply(gs, alpha, ds); break;
            case UnaryOp.Exp: SimdLoops.Backward<MulYBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Log: SimdLoops.Backward<DivXBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Sqrt: SimdLoops.Backward<SqrtBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Abs: SimdLoops.Backward<AbsBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Sign: ds.Clear(); break;
            case UnaryOp.Square: SimdLoops.Backward<SquareBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Sigmoid: SimdLoops.Backward<SigmoidBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Tanh: SimdLoops.Backward<TanhBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Relu: SimdLoops.Backward<ReluBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.LeakyRelu: SimdLoops.Backward<LeakyReluBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.RDivScalar: SimdLoops.Backward<RDivBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.RPowScalar: SimdLoops.Backward<RPowBackward>(xs, ys, gs, ds, MathF.Log(alpha)); break;
            case UnaryOp.Elu: SimdLoops.Backward<EluBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Gelu: SimdLoops.Backward<GeluBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Swish: SimdLoops.Backward<SwishBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Softplus: SimdLoops.Backward<SigmoidOfXBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.HardSigmoid: SimdLoops.Backward<HardSigmoidBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Sin: SimdLoops.Backward<SinBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.Cos: SimdLoops.Backward<CosBackward>(xs, ys, gs, ds, alpha); break;
            case UnaryOp.PowScalar:
                // d/dx xᵅ = α·xᵅ⁻¹, computed directly rather than as α·y/x, which is 0/0 at x = 0.
                TensorPrimitives.Pow(xs, alpha - 1f, ds);
                TensorPrimitives.Multiply(ds, gs, ds);
                TensorPrimitives.Multiply(ds, alpha, ds);
                break;
            default: throw new NotSupportedException($"CPU backend: backward of unary op {op} is not implemented");
        }
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, DeviceBuffer a, int aOffset, ReadOnlySpan<int> aStrides, DeviceBuffer b, int bOffset, ReadOnlySpan<int> bStrides, DeviceBuffer y, int yOffset, ReadOnlySpan<int> shape)
    {
        var av = Cpu(a).Array;
        var bv = Cpu(b).Array;
        var yv = Cpu(y).Array;
        int rank = shape.Length;
        // Coalesce axes, innermost first, wherever both operands continue contiguously (or both broadcast) from the
        // axis inside: a [32,10] + [10] becomes one outer loop of 32 rows of a vector-vector map.
        Span<int> dims = stackalloc int[rank + 1];
        Span<int> sa = stackalloc int[rank + 1];
        Span<int> sb = stackalloc int[rank + 1];
        int k = 0, total = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int n = shape[d];
            total *= n;
            if (n == 1) continue;
            if (k > 0 && aStrides[d] == sa[k - 1] * dims[k - 1] && bStrides[d] == sb[k - 1] * dims[k - 1])
                dims[k - 1] *= n;
            else
            {
                dims[k] = n;
                sa[k] = aStrides[d];
                sb[k] = bStrides[d];
                k++;
            }
        }
        if (total == 0) return;
        if (k == 0)
        {
            dims[0] = 1;
            k = 1;
        }
        int inner = dims[0], rows = total / inner;
        if (total < ParallelThreshold || !WorkerPool.CanSplit)
            RowRange(op, av, aOffset, bv, bOffset, yv, yOffset, dims[..k], sa[..k], sb[..k], 0, rows);
        else if (rows == 1)
            ForChunks(inner, new RowChunk(op, av, aOffset, sa[0], bv, bOffset, sb[0], yv, yOffset));
        else
        {
            // The axes travel to the helpers in this thread's scratch array: a split call never nests on its thread.
            var axes = t_axes;
            if (axes is null || axes.Length < 3 * k) t_axes = axes = new int[Math.Max(24, 3 * k)];
            dims[..k].CopyTo(axes);
            sa[..k].CopyTo(axes.AsSpan(k));
            sb[..k].CopyTo(axes.AsSpan(2 * k));
            int chunks = Math.Min(Math.Min(Environment.ProcessorCount, rows), total / (ParallelThreshold / 2));
            WorkerPool.Run(chunks, new RowsPart(op, av, aOffset, bv, bOffset, yv, yOffset, axes, k, rows, chunks));
        }
    }

    [ThreadStatic] private static int[]? t_axes;

    /// <summary>Elements [s, s + n) of a single coalesced row.</summary>
    private readonly struct RowChunk(BinaryOp op, float[] av, int aOffset, int ia, float[] bv, int bOffset, int ib, float[] yv, int yOffset) : IChunkBody
    {
        public void Run(int s, int n) => Row(op, av, aOffset + s * ia, ia, bv, bOffset + s * ib, ib, yv.AsSpan(yOffset + s, n));
    }

    /// <summary>Part c of <paramref name="chunks"/> of a many-row map: rows [rows·c/chunks, rows·(c+1)/chunks).</summary>
    private readonly struct RowsPart(BinaryOp op, float[] av, int aOffset, float[] bv, int bOffset, float[] yv, int yOffset,
        int[] axes, int k, int rows, int chunks) : IPartBody
    {
        public void Execute(int c) =>
            RowRange(op, av, aOffset, bv, bOffset, yv, yOffset, axes.AsSpan(0, k), axes.AsSpan(k, k), axes.AsSpan(2 * k, k),
                (int)((long)rows * c / chunks), (int)((long)rows * (c + 1) / chunks));
    }

    /// <summary>Rows [r0, r1) of a coalesced broadcast map; dims, sa, sb list the axes innermost first.</summary>
    private static void RowRange(BinaryOp op, float[] av, int aOffset, float[] bv, int bOffset, float[] yv, int yOffset,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> sa, ReadOnlySpan<int> sb, int r0, int r1)
    {
        int k = dims.Length, inner = dims[0], ia = sa[0], ib = sb[0];
        Span<int> idx = stackalloc int[k];
        int ao = aOffset, bo = bOffset;
        for (int d = 1, r = r0; d < k; d++)
        {
            idx[d] = r % dims[d];
            r /= dims[d];
            ao += idx[d] * sa[d];
            bo += idx[d] * sb[d];
        }
        for (int r = r0, yo = yOffset + r0 * inner; r < r1; r++, yo += inner)
        {
            Row(op, av, ao, ia, bv, bo, ib, yv.AsSpan(yo, inner));
            for (int d = 1; d < k; d++)
            {
                ao += sa[d];
                bo += sb[d];
                if (++idx[d] < dims[d]) break;
                ao -= sa[d] * dims[d];
                bo -= sb[d] * dims[d];
                idx[d] = 0;
            }
        }
    }

    private static void Row(BinaryOp op, float[] a, int ao, int ia, float[] b, int bo, int ib, Span<float> y)
    {
        int n = y.Length;
        if ((ia | 1) != 1 || (ib | 1) != 1)
        {
            for (int i = 0; i < n; i++) y[i] = Scalar(op, a[ao + i * ia], b[bo + i * ib]);
            return;
        }
        ReadOnlySpan<float> x = a.AsSpan(ao, ia == 1 ? n : 1);
        ReadOnlySpan<float> z = b.AsSpan(bo, ib == 1 ? n : 1);
        bool xs = ia == 0, zs = ib == 0;
        if (xs && zs)
        {
            y.Fill(Scalar(op, x[0], z[0]));
            return;
        }
        switch (op)
        {
            case BinaryOp.Add:
                if (xs) TensorPrimitives.Add(z, x[0], y); else if (zs) TensorPrimitives.Add(x, z[0], y); else TensorPrimitives.Add(x, z, y);
                break;
            case BinaryOp.Sub:
                if (xs) TensorPrimitives.Subtract(x[0], z, y); else if (zs) TensorPrimitives.Subtract(x, z[0], y); else TensorPrimitives.Subtract(x, z, y);
                break;
            case BinaryOp.Mul:
                if (xs) TensorPrimitives.Multiply(z, x[0], y); else if (zs) TensorPrimitives.Multiply(x, z[0], y); else TensorPrimitives.Multiply(x, z, y);
                break;
            case BinaryOp.Div:
                if (xs) TensorPrimitives.Divide(x[0], z, y); else if (zs) TensorPrimitives.Divide(x, z[0], y); else TensorPrimitives.Divide(x, z, y);
                break;
            case BinaryOp.Pow:
                if (xs) TensorPrimitives.Pow(x[0], z, y); else if (zs) TensorPrimitives.Pow(x, z[0], y); else TensorPrimitives.Pow(x, z, y);
                break;
            case BinaryOp.Maximum:
                if (xs) TensorPrimitives.Max(z, x[0], y); else if (zs) TensorPrimitives.Max(x, z[0], y); else TensorPrimitives.Max(x, z, y);
                break;
            case BinaryOp.Minimum:
                if (xs) TensorPrimitives.Min(z, x[0], y); else if (zs) TensorPrimitives.Min(x, z[0], y); else TensorPrimitives.Min(x, z, y);
                break;
            case BinaryOp.GreaterEqual: SimdLoops.Zip<GreaterEqualOp>(x, xs, z, zs, y); break;
            case BinaryOp.Greater: SimdLoops.Zip<GreaterOp>(x, xs, z, zs, y); break;
            case BinaryOp.Equal: SimdLoops.Zip<EqualOp>(x, xs, z, zs, y); break;
            case BinaryOp.KeepWhere: SimdLoops.Zip<KeepWhereOp>(x, xs, z, zs, y); break;
            case BinaryOp.KeepWhereNot: SimdLoops.Zip<KeepWhereNotOp>(x, xs, z, zs, y); break;
            default: throw new NotSupportedException($"CPU backend: binary op {op} is not implemented");
        }
    }

    /// <summary>The scalar definition of each binary op: the reference the vector paths are tested against.</summary>
    internal static float Scalar(BinaryOp op, float a, float b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Pow => MathF.Pow(a, b),
        BinaryOp.Maximum => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : Math.Max(a, b),
        BinaryOp.Minimum => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : Math.Min(a, b),
        BinaryOp.GreaterEqual => a >= b ? 1f : 0f,
        BinaryOp.Greater => a > b ? 1f : 0f,
        BinaryOp.Equal => a == b ? 1f : 0f,
        BinaryOp.KeepWhere => b != 0f ? a : 0f,
        BinaryOp.KeepWhereNot => b == 0f ? a : 0f,
        _ => throw new NotSupportedException($"CPU backend: binary op {op} is not implemented"),
    };
}
