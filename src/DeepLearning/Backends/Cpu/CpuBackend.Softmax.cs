using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLearning.Backends.Cpu;

// Softmax over rows. Attention calls it on many short rows (batch·heads·T rows of T scores), where per-row calls into
// TensorPrimitives (five passes, each with its own dispatch) cost more than the arithmetic: softmax there is one fused
// Vector512 kernel per row (max, exp-and-sum, scale), and rows are split over the worker threads when there are many.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Softmax(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int rows, int cols, bool log)
    {
        if (rows == 0 || cols == 0) return;
        ForRows(rows, cols, new SoftmaxRows(Cpu(x).Array, xOffset, Cpu(y).Array, yOffset, null, 0, cols, log, backward: false));
    }

    /// <inheritdoc/>
    public void SoftmaxBackward(DeviceBuffer y, int yOffset, DeviceBuffer dy, int dyOffset, DeviceBuffer dx, int dxOffset, int rows, int cols, bool log)
    {
        if (rows == 0 || cols == 0) return;
        ForRows(rows, cols, new SoftmaxRows(Cpu(y).Array, yOffset, Cpu(dx).Array, dxOffset, Cpu(dy).Array, dyOffset, cols, log, backward: true));
    }

    /// <summary>Runs a row body over all rows, split into row ranges over the worker threads when the work is large.</summary>
    private static void ForRows<TBody>(int rows, int cols, TBody body) where TBody : struct, IRowBody
    {
        long length = (long)rows * cols;
        int parts = (int)Math.Min(Math.Min(rows, 4L * Environment.ProcessorCount), length / (ParallelThreshold / 4));
        if (parts < 2 || !WorkerPool.CanSplit)
        {
            body.Run(0, rows);
            return;
        }
        WorkerPool.Run(parts, new RowParts<TBody>(body, rows, parts));
    }

    private interface IRowBody
    {
        void Run(int start, int end);
    }

    private readonly struct RowParts<TBody>(TBody body, int rows, int parts) : IPartBody where TBody : struct, IRowBody
    {
        public void Execute(int part) => body.Run((int)((long)rows * part / parts), (int)((long)rows * (part + 1) / parts));
    }

    /// <summary>
    /// Forward: <c>y = softmax(x)</c> (or log-softmax) per row, x in <c>Src</c>, y in <c>Dst</c>. Backward: <c>Src</c> holds
    /// y, <c>Grad</c> the output gradient g, <c>Dst</c> gets dx = y ⊙ (g − g·y) (log: g − eʸ·Σg).
    /// </summary>
    private readonly unsafe struct SoftmaxRows(float[] src, int srcOffset, float[] dst, int dstOffset, float[]? grad, int gradOffset,
        int cols, bool log, bool backward) : IRowBody
    {
        public void Run(int start, int end)
        {
            for (int r = start; r < end; r++)
            {
                var s = src.AsSpan(srcOffset + r * cols, cols);
                var d = dst.AsSpan(dstOffset + r * cols, cols);
                if (backward)
                {
                    var g = grad.AsSpan(gradOffset + r * cols, cols);
                    if (log) LogBackwardRow(s, g, d);
                    else if (Vector512.IsHardwareAccelerated) BackwardRow512(s, g, d);
                    else BackwardRow(s, g, d);
                }
                else if (log) LogRow(s, d);
                else if (Vector512.IsHardwareAccelerated) Row512(s, d);
                else SoftmaxRow(s, d);
            }
        }
    }

    // Subtracting the row maximum keeps every exponent ≤ 0: no overflow, and the largest term is exactly 1.
    private static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float m = x[TensorPrimitives.IndexOfMax(x)];
        TensorPrimitives.Subtract(x, m, y);
        TensorPrimitives.Exp(y, y);
        TensorPrimitives.Multiply(y, 1f / TensorPrimitives.Sum(y), y);
    }

    /// <summary>
    /// <see cref="SoftmaxRow"/> in three register passes with a float exp (<see cref="SimdMath.ExpNonPositive"/>; the
    /// library's widens to double and cost more than the rest together). The ragged tail goes through the same exp
    /// (padded with −∞, whose exp is 0), so every element of a row is computed alike.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Row512(ReadOnlySpan<float> xs, Span<float> ys)
    {
        int n = xs.Length, full = n & ~15, rest = n - full;
        fixed (float* x = xs, y = ys)
        {
            var tail = Vector512.Create(float.NegativeInfinity);
            if (rest != 0)
            {
                float* t = stackalloc float[16];
                tail.Store(t);
                for (int j = 0; j < rest; j++) t[j] = x[full + j];
                tail = Vector512.Load(t);
            }
            var vm = tail;
            for (int j = 0; j < full; j += 16) vm = Vector512.Max(vm, Vector512.Load(x + j));
            // Max propagates NaN, so a row holding NaN becomes all NaN, as the scalar path gives.
            var vmax = Vector512.Create(Max(vm));
            var vs = Vector512<float>.Zero;
            for (int j = 0; j < full; j += 16)
            {
                var e = SimdMath.ExpNonPositive(Vector512.Load(x + j) - vmax);
                e.Store(y + j);
                vs += e;
            }
            var et = rest != 0 ? SimdMath.ExpNonPositive(tail - vmax) : Vector512<float>.Zero;
            vs += et;
            var scale = Vector512.Create(1f / Vector512.Sum(vs));
            for (int j = 0; j < full; j += 16) (Vector512.Load(y + j) * scale).Store(y + j);
            if (rest != 0)
            {
                float* t = stackalloc float[16];
                (et * scale).Store(t);
                for (int j = 0; j < rest; j++) y[full + j] = t[j];
            }
        }
    }

    private static float Max(Vector512<float> v)
    {
        var h = Vector256.Max(v.GetLower(), v.GetUpper());
        var q = Vector128.Max(h.GetLower(), h.GetUpper());
        float m = q[0];
        for (int i = 1; i < 4; i++) m = float.IsNaN(q[i]) ? q[i] : MathF.Max(m, q[i]);
        return m;
    }

    private static void LogRow(ReadOnlySpan<float> x, Span<float> o)
    {
        int im = TensorPrimitives.IndexOfMax(x);
        float m = x[im];
        TensorPrimitives.Subtract(x, m, o);
        TensorPrimitives.Exp(o, o);
        // ln Σ = log1p(Σ of the others), the max's 1 left out of the sum, and (x − m) − that rather than
        // x − (m + ln Σ): either rounding would zero a dominant entry's log-probability (≈ −Σ others ≪ ε).
        o[im] = 0f;
        float lse = SimdMath.Log1p(TensorPrimitives.Sum(o));
        TensorPrimitives.Subtract(x, m, o);
        TensorPrimitives.Subtract(o, lse, o);
    }

    private static void BackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> d)
    {
        float s = TensorPrimitives.Dot(g, y);
        TensorPrimitives.Subtract(g, s, d);
        TensorPrimitives.Multiply(d, y, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BackwardRow512(ReadOnlySpan<float> ys, ReadOnlySpan<float> gs, Span<float> ds)
    {
        int n = ys.Length, full = n & ~15;
        fixed (float* y = ys, g = gs, d = ds)
        {
            var acc = Vector512<float>.Zero;
            for (int j = 0; j < full; j += 16) acc = Vector512.FusedMultiplyAdd(Vector512.Load(g + j), Vector512.Load(y + j), acc);
            float s = Vector512.Sum(acc);
            for (int j = full; j < n; j++) s += g[j] * y[j];
            var vs = Vector512.Create(s);
            for (int j = 0; j < full; j += 16)
            {
                var yj = Vector512.Load(y + j);
                ((Vector512.Load(g + j) - vs) * yj).Store(d + j);
            }
            for (int j = full; j < n; j++) d[j] = (g[j] - s) * y[j];
        }
    }

    private static void LogBackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> d)
    {
        float s = TensorPrimitives.Sum(g);
        TensorPrimitives.Exp(y, d);
        TensorPrimitives.MultiplyAdd(d, -s, g, d);
    }
}
