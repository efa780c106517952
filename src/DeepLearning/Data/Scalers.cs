namespace DeepLearning;

/// <summary>
/// A per-feature affine rescaling fitted on training data and applied to any data of the same features (the last
/// axis): <c>Transform(x) = x·scale + shift</c>, broadcast over every other axis. Fit on the training set only, then
/// transform the training, validation and test sets alike, so no statistic leaks from held-out data.
/// </summary>
public abstract class FeatureScaler
{
    private float[]? _scale, _shift;

    /// <summary>Number of features (last-axis length) seen by <see cref="Fit"/>; 0 before.</summary>
    public int Features => _scale?.Length ?? 0;

    /// <summary>Whether <see cref="Fit"/> has run.</summary>
    public bool IsFitted => _scale is not null;

    /// <summary>Computes the per-feature statistics of <paramref name="train"/> (every axis but the last is a sample axis).</summary>
    /// <returns>This scaler, for chaining (<c>new Standardize().Fit(train)</c>).</returns>
    /// <exception cref="ArgumentException">The tensor is a scalar or holds no samples.</exception>
    public FeatureScaler Fit(Tensor train)
    {
        ArgumentNullException.ThrowIfNull(train);
        string name = GetType().Name;
        if (train.Rank == 0 || train.Length == 0)
            throw new ArgumentException($"{name}.Fit: {train.Describe()} holds no samples with features on the last axis", nameof(train));
        int f = train.Shape[-1];
        // Statistics are data preparation: computed off the tape, their temporaries released here, only the
        // per-feature numbers kept on the host.
        using (Autodiff.NoGrad())
        using (TensorScope.Begin())
        {
            var rows = train.Reshape(-1, f);
            (_scale, _shift) = Compute(rows);
        }
        return this;
    }

    /// <summary>Rescales <paramref name="x"/>: <c>x·scale + shift</c> per feature (differentiable).</summary>
    /// <exception cref="InvalidOperationException">Not fitted.</exception>
    /// <exception cref="ArgumentException">The last axis of <paramref name="x"/> is not <see cref="Features"/> long.</exception>
    public Tensor Transform(Tensor x)
    {
        var (scale, shift) = Parameters(x, "Transform");
        return x * Tensor.FromSpan(scale, new Shape(scale.Length), x.Device) + Tensor.FromSpan(shift, new Shape(shift.Length), x.Device);
    }

    /// <summary>Undoes <see cref="Transform"/>: <c>(x − shift) / scale</c> per feature.</summary>
    /// <exception cref="InvalidOperationException">Not fitted.</exception>
    /// <exception cref="ArgumentException">The last axis of <paramref name="x"/> is not <see cref="Features"/> long.</exception>
    public Tensor InverseTransform(Tensor x)
    {
        var (scale, shift) = Parameters(x, "InverseTransform");
        var inv = new float[scale.Length];
        var off = new float[scale.Length];
        for (int i = 0; i < inv.Length; i++)
        {
            inv[i] = 1f / scale[i];
            off[i] = -shift[i] / scale[i];
        }
        return x * Tensor.FromSpan(inv, new Shape(inv.Length), x.Device) + Tensor.FromSpan(off, new Shape(off.Length), x.Device);
    }

    /// <summary><see cref="Fit"/> on <paramref name="train"/>, then <see cref="Transform"/> it.</summary>
    public Tensor FitTransform(Tensor train) => Fit(train).Transform(train);

    /// <summary>The fitted per-feature scale and shift, from the rows <c>[samples, features]</c> of the training data.</summary>
    private protected abstract (float[] Scale, float[] Shift) Compute(Tensor rows);

    private (float[] Scale, float[] Shift) Parameters(Tensor x, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        string name = GetType().Name;
        if (_scale is null || _shift is null)
            throw new InvalidOperationException($"{name}.{op}: call Fit on the training data first");
        if (x.Rank == 0 || x.Shape[-1] != _scale.Length)
            throw new ArgumentException($"{name}.{op}: {x.Describe()} has {(x.Rank == 0 ? 0 : x.Shape[-1])} features on its last axis, fitted on {_scale.Length}", nameof(x));
        return (_scale, _shift);
    }
}

/// <summary>
/// Standardisation (scikit-learn's <c>StandardScaler</c>): <c>(x − μ) / σ</c> per feature, μ and σ the mean and
/// population standard deviation of the training data. A constant feature (σ = 0) is only centred (σ taken as 1).
/// </summary>
public sealed class Standardize : FeatureScaler
{
    /// <summary>The fitted per-feature means μ.</summary>
    public float[]? Mean { get; private set; }

    /// <summary>The fitted per-feature standard deviations σ (population, divided by N).</summary>
    public float[]? Std { get; private set; }

    private protected override (float[] Scale, float[] Shift) Compute(Tensor rows)
    {
        var mean = rows.Mean(0);
        var centred = rows - mean;
        var std = (centred * centred).Mean(0).Sqrt();
        Mean = mean.ToArray();
        Std = std.ToArray();
        var scale = new float[Mean.Length];
        var shift = new float[Mean.Length];
        for (int i = 0; i < scale.Length; i++)
        {
            scale[i] = Std[i] > 0 ? 1f / Std[i] : 1f;
            shift[i] = -Mean[i] * scale[i];
        }
        return (scale, shift);
    }
}

/// <summary>
/// Min-max scaling (scikit-learn's <c>MinMaxScaler</c>): maps each feature's training range [min, max] onto
/// [<see cref="Low"/>, <see cref="High"/>]: <c>low + (x − min)·(high − low)/(max − min)</c>. A constant feature maps to
/// <see cref="Low"/> (its range taken as 1). Values outside the training range map outside [low, high].
/// </summary>
public sealed class MinMax : FeatureScaler
{
    /// <summary>Creates a scaler onto [<paramref name="low"/>, <paramref name="high"/>] (default [0, 1]).</summary>
    /// <exception cref="ArgumentException">The bounds are not finite or <paramref name="low"/> ≥ <paramref name="high"/>.</exception>
    public MinMax(float low = 0f, float high = 1f)
    {
        if (!float.IsFinite(low) || !float.IsFinite(high) || low >= high)
            throw new ArgumentException($"MinMax: target range [{low}, {high}] must be finite with low < high");
        Low = low;
        High = high;
    }

    /// <summary>The lower end of the target range.</summary>
    public float Low { get; }

    /// <summary>The upper end of the target range.</summary>
    public float High { get; }

    /// <summary>The fitted per-feature minima.</summary>
    public float[]? Min { get; private set; }

    /// <summary>The fitted per-feature maxima.</summary>
    public float[]? Max { get; private set; }

    private protected override (float[] Scale, float[] Shift) Compute(Tensor rows)
    {
        Min = rows.Min(0).ToArray();
        Max = rows.Max(0).ToArray();
        var scale = new float[Min.Length];
        var shift = new float[Min.Length];
        for (int i = 0; i < scale.Length; i++)
        {
            float range = Max[i] - Min[i];
            scale[i] = (High - Low) / (range > 0 ? range : 1f);
            shift[i] = Low - Min[i] * scale[i];
        }
        return (scale, shift);
    }
}
