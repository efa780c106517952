namespace DeepLearning;

/// <summary>
/// Seeded random image augmentation for a batch: per image, a random shift and rotation (one bilinear resampling,
/// zero outside the image), an optional horizontal flip, contrast and brightness jitter and Gaussian pixel noise. The
/// same (batch, seed) always gives the same result; image i's parameters depend only on (seed, i).
/// </summary>
/// <remarks>
/// Accepts <c>[N, C, H, W]</c> batches, or flat rows <c>[N, C·H·W]</c> (such as MNIST's <c>[N, 784]</c>) given the
/// height and width. Every effect is off by default. Values are not clamped. Runs on the host (data preparation,
/// not recorded for gradients). Use as a <see cref="DataLoader.Transform"/>: <c>Transform = augmentation.Apply</c>.
/// </remarks>
/// <example><code>var aug = new Augmentation(28, 28) { MaxShift = 2, MaxRotation = 10, Noise = 0.05f };</code></example>
public sealed class Augmentation
{
    /// <summary>Creates an augmentation (all effects off) for images of <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Augmentation(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Height = height;
        Width = width;
    }

    /// <summary>Image height H in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width W in pixels.</summary>
    public int Width { get; }

    /// <summary>Largest shift in pixels: each image moves by whole pixels drawn uniformly from [−s, s] on each axis.</summary>
    public int MaxShift { get; init; }

    /// <summary>Largest rotation in degrees: each image turns about its centre by an angle uniform in [−a, a].</summary>
    public float MaxRotation { get; init; }

    /// <summary>Mirror each image left–right with probability ½ (not for digits, whose meaning it changes).</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Brightness jitter: each image gets an offset uniform in [−b, b] added to every pixel.</summary>
    public float Brightness { get; init; }

    /// <summary>Contrast jitter: each image's deviations from its mean are scaled by a factor uniform in [1 − c, 1 + c].</summary>
    public float Contrast { get; init; }

    /// <summary>Standard deviation of Gaussian noise added to every pixel.</summary>
    public float Noise { get; init; }

    /// <summary>Augments a batch: a new tensor of the same shape and device.</summary>
    /// <param name="batch"><c>[N, C, H, W]</c> or <c>[N, C·H·W]</c>.</param>
    /// <param name="seed">Seed of every random choice.</param>
    /// <exception cref="ArgumentException">The shape does not hold images of <see cref="Height"/> × <see cref="Width"/>,
    /// or an effect's size is negative or not finite.</exception>
    public Tensor Apply(Tensor batch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (MaxShift < 0 || !(MaxRotation >= 0) || !(Brightness >= 0) || !(Contrast >= 0) || !(Noise >= 0)
            || !float.IsFinite(MaxRotation + Brightness + Contrast + Noise))
            throw new ArgumentException($"Augmentation: sizes must be finite and non-negative (MaxShift {MaxShift}, MaxRotation {MaxRotation}, Brightness {Brightness}, Contrast {Contrast}, Noise {Noise})");
        int hw = Height * Width;
        bool fits = batch.Rank == 4 ? batch.Shape[2] == Height && batch.Shape[3] == Width
            : batch.Rank == 2 && batch.Shape[1] > 0 && batch.Shape[1] % hw == 0;
        if (!fits)
            throw new ArgumentException($"Augmentation: batch {batch.Shape} is neither [N, C, {Height}, {Width}] nor [N, C·{hw}]", nameof(batch));
        int n = batch.Shape[0], channels = batch.Rank == 4 ? batch.Shape[1] : batch.Shape[1] / hw, image = channels * hw;
        var src = batch.ToArray();
        var dst = new float[src.Length];
        for (int i = 0; i < n; i++)
            Augment(src.AsSpan(i * image, image), dst.AsSpan(i * image, image), channels, new SeededRandom(seed, 8, (ulong)i));
        return Tensor.FromSpan(dst, batch.Shape, batch.Device);
    }

    private void Augment(ReadOnlySpan<float> src, Span<float> dst, int channels, SeededRandom rng)
    {
        // Every parameter is drawn, used or not, so turning one effect on does not change the others' draws.
        int dx = rng.NextInt(2 * MaxShift + 1) - MaxShift, dy = rng.NextInt(2 * MaxShift + 1) - MaxShift;
        float angle = rng.NextFloat(-MaxRotation, MaxRotation) * (MathF.PI / 180f);
        bool flip = rng.NextInt(2) == 1 && HorizontalFlip;
        float contrast = 1f + rng.NextFloat(-Contrast, Contrast), brightness = rng.NextFloat(-Brightness, Brightness);
        int hw = Height * Width;
        for (int c = 0; c < channels; c++) Resample(src.Slice(c * hw, hw), dst.Slice(c * hw, hw), dx, dy, angle, flip);
        if (Contrast != 0)
        {
            float mean = 0;
            foreach (float v in dst) mean += v;
            mean /= dst.Length;
            for (int k = 0; k < dst.Length; k++) dst[k] = mean + (dst[k] - mean) * contrast;
        }
        if (Brightness != 0) for (int k = 0; k < dst.Length; k++) dst[k] += brightness;
        if (Noise != 0) for (int k = 0; k < dst.Length; k++) dst[k] += Noise * rng.NextNormal();
    }

    // Output pixel p reads the input at R(−θ)·(p − centre − shift) + centre (the inverse of rotating then shifting),
    // mirrored when flipping, bilinearly interpolated with zeros outside. With θ = 0 the sample points are whole pixels,
    // so a pure shift or flip copies values exactly.
    private void Resample(ReadOnlySpan<float> src, Span<float> dst, int dx, int dy, float angle, bool flip)
    {
        int h = Height, w = Width;
        if (dx == 0 && dy == 0 && angle == 0 && !flip)
        {
            src.CopyTo(dst);
            return;
        }
        float cy = (h - 1) / 2f, cx = (w - 1) / 2f, cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float u = x - cx - dx, v = y - cy - dy;
                float sx = angle == 0 ? u + cx : cos * u + sin * v + cx;
                float sy = angle == 0 ? v + cy : -sin * u + cos * v + cy;
                if (flip) sx = w - 1 - sx;
                dst[y * w + x] = Bilinear(src, sx, sy);
            }
    }

    private float Bilinear(ReadOnlySpan<float> src, float sx, float sy)
    {
        int x0 = (int)MathF.Floor(sx), y0 = (int)MathF.Floor(sy);
        float fx = sx - x0, fy = sy - y0;
        return (1 - fy) * ((1 - fx) * Pixel(src, x0, y0) + fx * Pixel(src, x0 + 1, y0))
             + fy * ((1 - fx) * Pixel(src, x0, y0 + 1) + fx * Pixel(src, x0 + 1, y0 + 1));
    }

    private float Pixel(ReadOnlySpan<float> src, int x, int y) =>
        (uint)x < (uint)Width && (uint)y < (uint)Height ? src[y * Width + x] : 0f;
}
