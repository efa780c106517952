namespace DeepLearning;

/// <summary>
/// A learning rate as a function of a step count t = 0, 1, 2, … (optax's schedules, PyTorch's LR schedulers as
/// pure functions). An <see cref="Optimizer.Schedule"/> reads it per update; the <c>LearningRateScheduler</c>
/// callback of <c>Fit</c> reads it per epoch. Schedules compose: <c>new WarmUp(100, new CosineDecay(1e-3f, 900))</c>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate at step <paramref name="step"/> (0 for the first).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is negative.</exception>
    public float At(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Rate(step);
    }

    /// <summary>The rate at a step already checked to be ≥ 0.</summary>
    protected abstract float Rate(int step);

    /// <summary>A schedule from a function of the step.</summary>
    /// <exception cref="ArgumentNullException">The function is null.</exception>
    public static LearningRateSchedule FromFunction(Func<int, float> rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        return new FunctionSchedule(rate);
    }

    private protected static float Positive(string schedule, string name, float value)
    {
        if (!float.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{schedule}: {name} must be >= 0 and finite, got {value}");
        return value;
    }

    private protected static int Steps(string schedule, string name, int value)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{schedule}: {name} must be > 0, got {value}");
        return value;
    }

    private sealed class FunctionSchedule(Func<int, float> rate) : LearningRateSchedule
    {
        protected override float Rate(int step) => rate(step);
    }
}

/// <summary>Step decay (PyTorch's <c>StepLR</c>): <c>η(t) = η₀·γ^⌊t / s⌋</c>.</summary>
/// <param name="initial">η₀.</param>
/// <param name="stepSize">s &gt; 0: steps between decays.</param>
/// <param name="gamma">γ ≥ 0: the factor per decay.</param>
/// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
public sealed class StepDecay(float initial, int stepSize, float gamma = 0.1f) : LearningRateSchedule
{
    private readonly float _initial = Positive("StepDecay", nameof(initial), initial);
    private readonly int _size = Steps("StepDecay", nameof(stepSize), stepSize);
    private readonly float _gamma = Positive("StepDecay", nameof(gamma), gamma);

    /// <inheritdoc/>
    protected override float Rate(int step) => (float)(_initial * Math.Pow(_gamma, step / _size));
}

/// <summary>Exponential decay (PyTorch's <c>ExponentialLR</c>): <c>η(t) = η₀·γᵗ</c>.</summary>
/// <param name="initial">η₀.</param>
/// <param name="gamma">γ ≥ 0: the factor per step.</param>
/// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
public sealed class ExponentialDecay(float initial, float gamma) : LearningRateSchedule
{
    private readonly float _initial = Positive("ExponentialDecay", nameof(initial), initial);
    private readonly float _gamma = Positive("ExponentialDecay", nameof(gamma), gamma);

    /// <inheritdoc/>
    protected override float Rate(int step) => (float)(_initial * Math.Pow(_gamma, step));
}

/// <summary>
/// Cosine decay (PyTorch's <c>CosineAnnealingLR</c> over one half period, then flat):
/// <c>η(t) = η_min + (η₀ − η_min)·(1 + cos(π·min(t, T)/T))/2</c>.
/// </summary>
/// <param name="initial">η₀ at t = 0.</param>
/// <param name="decaySteps">T &gt; 0: the step at which η reaches η_min.</param>
/// <param name="minimum">η_min, held after T.</param>
/// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
public sealed class CosineDecay(float initial, int decaySteps, float minimum = 0f) : LearningRateSchedule
{
    private readonly float _initial = Positive("CosineDecay", nameof(initial), initial);
    private readonly int _steps = Steps("CosineDecay", nameof(decaySteps), decaySteps);
    private readonly float _minimum = Positive("CosineDecay", nameof(minimum), minimum);

    /// <inheritdoc/>
    protected override float Rate(int step) =>
        (float)(_minimum + (_initial - _minimum) * (1 + Math.Cos(Math.PI * Math.Min(step, _steps) / _steps)) / 2);
}

/// <summary>
/// Linear warm-up, then another schedule (optax's convention): <c>η(t) = η_s + (η_p − η_s)·t/W</c> for t &lt; W, where
/// <c>η_p = then.At(0)</c>; from t = W on, <c>η(t) = then.At(t − W)</c>.
/// </summary>
/// <param name="warmupSteps">W &gt; 0.</param>
/// <param name="then">The schedule after the warm-up (its step counted from the warm-up's end).</param>
/// <param name="start">η_s, the rate at t = 0.</param>
/// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
/// <exception cref="ArgumentNullException"><paramref name="then"/> is null.</exception>
public sealed class WarmUp(int warmupSteps, LearningRateSchedule then, float start = 0f) : LearningRateSchedule
{
    private readonly int _steps = Steps("WarmUp", nameof(warmupSteps), warmupSteps);
    private readonly LearningRateSchedule _then = then ?? throw new ArgumentNullException(nameof(then));
    private readonly float _start = Positive("WarmUp", nameof(start), start);

    /// <inheritdoc/>
    protected override float Rate(int step)
    {
        if (step >= _steps) return _then.At(step - _steps);
        float peak = _then.At(0);
        return (float)(_start + ((double)peak - _start) * step / _steps);
    }
}
