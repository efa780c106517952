using System.Globalization;

namespace DeepLearning;

/// <summary>
/// Checks analytic gradients against central finite differences, <c>(f(x + ε) − f(x − ε)) / 2ε</c> per element,
/// with the differences formed in double. Use it to test your own ops and layers.
/// </summary>
/// <remarks>
/// float32 carries about 7 digits, so differences are only good to roughly <c>ε² f‴ + 1e-7·|f| / ε</c>: keep inputs
/// of order 1, ε near 1e-2, and points away from kinks (ReLU at 0, |x| at 0, ties of max) where no derivative exists.
/// </remarks>
public static class GradientCheck
{
    /// <summary>
    /// Compares the gradient of the scalar <paramref name="function"/> w.r.t. every element of every tensor in
    /// <paramref name="inputs"/> with central differences.
    /// </summary>
    /// <param name="function">Computes a one-element tensor from the inputs (read them from the closure).</param>
    /// <param name="inputs">The tensors to perturb; they are restored afterwards.</param>
    /// <param name="epsilon">The step ε.</param>
    /// <param name="tolerance">An element passes when <c>|analytic − numeric| ≤ tolerance · max(1, |analytic|, |numeric|)</c>.</param>
    /// <returns>The worst element found.</returns>
    public static GradientCheckResult Run(Func<Tensor> function, IReadOnlyList<Tensor> inputs, double epsilon = 1e-2, double tolerance = 1e-2)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = TensorScope.Begin();
        var grads = Autodiff.Gradient(function, inputs);
        var result = new GradientCheckResult(tolerance);
        for (int t = 0; t < inputs.Count; t++)
        {
            var x = inputs[t];
            var analytic = grads[x].ToArray();
            var values = x.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                float original = values[i];
                double plus = Evaluate(function, x, i, original + epsilon);
                double minus = Evaluate(function, x, i, original - epsilon);
                x.SetElement(i, original);
                // The step actually taken, after rounding x ± ε to float.
                double step = (double)(float)(original + epsilon) - (float)(original - epsilon);
                result.Observe(t, i, analytic[i], (plus - minus) / step);
            }
        }
        return result;
    }

    private static double Evaluate(Func<Tensor> function, Tensor x, int index, double value)
    {
        x.SetElement(index, (float)value);
        // On a tape of its own that tracks nothing: nothing records, yet layers in their automatic mode behave as
        // they did while the analytic gradient was taken (training), so both sides differentiate the same function.
        using var scope = TensorScope.Begin();
        var tape = Tape.Push();
        try
        {
            return function().Item();
        }
        finally
        {
            tape.Reset();
            tape.Pop();
        }
    }
}

/// <summary>The outcome of <see cref="GradientCheck.Run"/>: the element with the largest scaled error.</summary>
public sealed class GradientCheckResult
{
    internal GradientCheckResult(double tolerance) => Tolerance = tolerance;

    /// <summary>The tolerance the check used.</summary>
    public double Tolerance { get; }

    /// <summary>The largest <c>|analytic − numeric| / max(1, |analytic|, |numeric|)</c> over all elements.</summary>
    public double MaxError { get; private set; }

    /// <summary>Which input held the worst element.</summary>
    public int WorstInput { get; private set; } = -1;

    /// <summary>The worst element's flat index in its input.</summary>
    public int WorstIndex { get; private set; } = -1;

    /// <summary>The analytic derivative at the worst element.</summary>
    public double Analytic { get; private set; }

    /// <summary>The finite-difference derivative at the worst element.</summary>
    public double Numeric { get; private set; }

    /// <summary>Number of elements compared.</summary>
    public int Checked { get; private set; }

    /// <summary>Whether every element was within tolerance (and none was NaN).</summary>
    public bool Passed => Checked > 0 && MaxError <= Tolerance;

    internal void Observe(int input, int index, double analytic, double numeric)
    {
        Checked++;
        double err = Math.Abs(analytic - numeric) / Math.Max(1.0, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
        if (double.IsNaN(err)) err = double.PositiveInfinity;
        if (WorstInput < 0 || err > MaxError)
        {
            MaxError = err;
            WorstInput = input;
            WorstIndex = index;
            Analytic = analytic;
            Numeric = numeric;
        }
    }

    /// <summary>A one-line summary naming the worst element.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Passed ? "passed" : "FAILED")}: {Checked} elements, worst input {WorstInput}[{WorstIndex}]: analytic {Analytic:G6}, numeric {Numeric:G6}, error {MaxError:G3} (tolerance {Tolerance:G3})");
}
