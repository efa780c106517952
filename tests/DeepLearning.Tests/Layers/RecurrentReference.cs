namespace DeepLearning.Tests.Layers;

/// <summary>
/// Plain loops over PyTorch's cell equations in double precision, written from the documentation, not from the kernels:
/// the references the recurrent layers are compared with.
/// </summary>
internal static class RecurrentReference
{
    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>Row b, gate block k (of width h) of <c>x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh</c>, split into the input and hidden parts.</summary>
    private static (double X, double H) Pre(float[] wIh, float[] wHh, float[] bIh, float[] bHh, float[] x, float[] h, int b, int row, int inputs, int hidden)
    {
        double sx = bIh[row], sh = bHh[row];
        for (int k = 0; k < inputs; k++) sx += (double)wIh[row * inputs + k] * x[b * inputs + k];
        for (int k = 0; k < hidden; k++) sh += (double)wHh[row * hidden + k] * h[b * hidden + k];
        return (sx, sh);
    }

    /// <summary>One LSTM step (gates i, f, g, o): returns (h', c') as <c>[batch, hidden]</c> arrays.</summary>
    public static (float[] H, float[] C) LstmStep(float[] wIh, float[] wHh, float[] bIh, float[] bHh, float[] x, float[] h, float[] c, int batch, int inputs, int hidden)
    {
        var h1 = new float[batch * hidden];
        var c1 = new float[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                double Gate(int k) { var (sx, sh) = Pre(wIh, wHh, bIh, bHh, x, h, b, k * hidden + j, inputs, hidden); return sx + sh; }
                double i = Sigmoid(Gate(0)), f = Sigmoid(Gate(1)), g = Math.Tanh(Gate(2)), o = Sigmoid(Gate(3));
                double cn = f * c[b * hidden + j] + i * g;
                c1[b * hidden + j] = (float)cn;
                h1[b * hidden + j] = (float)(o * Math.Tanh(cn));
            }
        return (h1, c1);
    }

    /// <summary>One GRU step (gates r, z, n; b_hn inside r ⊙ (…) as PyTorch): returns h'.</summary>
    public static float[] GruStep(float[] wIh, float[] wHh, float[] bIh, float[] bHh, float[] x, float[] h, int batch, int inputs, int hidden)
    {
        var h1 = new float[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                var (rx, rh) = Pre(wIh, wHh, bIh, bHh, x, h, b, j, inputs, hidden);
                var (zx, zh) = Pre(wIh, wHh, bIh, bHh, x, h, b, hidden + j, inputs, hidden);
                var (nx, nh) = Pre(wIh, wHh, bIh, bHh, x, h, b, 2 * hidden + j, inputs, hidden);
                double r = Sigmoid(rx + rh), z = Sigmoid(zx + zh), n = Math.Tanh(nx + r * nh);
                h1[b * hidden + j] = (float)((1 - z) * n + z * h[b * hidden + j]);
            }
        return h1;
    }

    /// <summary>One tanh RNN step: returns h'.</summary>
    public static float[] RnnStep(float[] wIh, float[] wHh, float[] bIh, float[] bHh, float[] x, float[] h, int batch, int inputs, int hidden,
        bool relu = false)
    {
        var h1 = new float[batch * hidden];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                var (sx, sh) = Pre(wIh, wHh, bIh, bHh, x, h, b, j, inputs, hidden);
                h1[b * hidden + j] = relu ? (float)Math.Max(sx + sh, 0) : (float)Math.Tanh(sx + sh);
            }
        return h1;
    }

    /// <summary>Step t of a batch-first sequence <c>[batch, time, inputs]</c> as <c>[batch, inputs]</c>.</summary>
    public static float[] Step(float[] x, int batch, int steps, int inputs, int t)
    {
        var r = new float[batch * inputs];
        for (int b = 0; b < batch; b++) Array.Copy(x, (b * steps + t) * inputs, r, b * inputs, inputs);
        return r;
    }

    public static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}
