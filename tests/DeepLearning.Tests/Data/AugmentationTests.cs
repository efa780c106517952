namespace DeepLearning.Tests.Data;

public class AugmentationTests
{
    private const int H = 6, W = 7;

    private static Tensor Images(int n, ulong seed = 1) => Tensor.Rand(new Shape(n, H * W), seed);

    private static float[] Image(float[] all, int i) => all.AsSpan(i * H * W, H * W).ToArray();

    public static TheoryData<string> Effects() => ["shift", "rotation", "flip", "brightness", "contrast", "noise", "all"];

    private static Augmentation Make(string effect) => effect switch
    {
        "shift" => new Augmentation(H, W) { MaxShift = 2 },
        "rotation" => new Augmentation(H, W) { MaxRotation = 20 },
        "flip" => new Augmentation(H, W) { HorizontalFlip = true },
        "brightness" => new Augmentation(H, W) { Brightness = 0.2f },
        "contrast" => new Augmentation(H, W) { Contrast = 0.3f },
        "noise" => new Augmentation(H, W) { Noise = 0.1f },
        _ => new Augmentation(H, W) { MaxShift = 1, MaxRotation = 10, HorizontalFlip = true, Brightness = 0.1f, Contrast = 0.1f, Noise = 0.05f },
    };

    [Theory]
    [MemberData(nameof(Effects))]
    public void SameSeed_SameResult_OtherSeed_Different_ShapeKept(string effect)
    {
        var aug = Make(effect);
        var x = Images(16);
        var a = aug.Apply(x, 3);
        Assert.Equal(x.Shape, a.Shape);
        Assert.Equal(a.ToArray(), aug.Apply(x, 3).ToArray());
        Assert.NotEqual(a.ToArray(), aug.Apply(x, 4).ToArray());
        Assert.NotEqual(x.ToArray(), a.ToArray());
        // Image i depends only on (seed, i): a prefix batch gets the same images.
        Assert.Equal(a.ToArray()[..(4 * H * W)], aug.Apply(x.Slice(0, 4), 3).ToArray());
    }

    [Fact]
    public void FourDimensionalBatches_AugmentEachChannelWithTheImagesParameters()
    {
        var aug = new Augmentation(H, W) { MaxShift = 2, HorizontalFlip = true };
        var one = Tensor.Rand(new Shape(5, 1, H, W), 2).ToArray();
        // Two identical channels must stay identical: the geometry is drawn per image, not per channel.
        var two = new float[5 * 2 * H * W];
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < 2; c++) one.AsSpan(i * H * W, H * W).CopyTo(two.AsSpan((2 * i + c) * H * W));
        var y = aug.Apply(Tensor.FromSpan(two, new Shape(5, 2, H, W)), 9);
        Assert.Equal(new Shape(5, 2, H, W), y.Shape);
        var ya = y.ToArray();
        for (int i = 0; i < 5; i++) Assert.Equal(Image(ya, 2 * i), Image(ya, 2 * i + 1));
    }

    [Fact]
    public void NoEffects_IsTheIdentity()
    {
        var x = Images(3);
        Assert.Equal(x.ToArray(), new Augmentation(H, W).Apply(x, 1).ToArray());
    }

    // Reference: image shifted by (dx, dy) with zero fill.
    private static float[] Shifted(float[] img, int dx, int dy)
    {
        var r = new float[H * W];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int sx = x - dx, sy = y - dy;
                if (sx >= 0 && sx < W && sy >= 0 && sy < H) r[y * W + x] = img[sy * W + sx];
            }
        return r;
    }

    [Fact]
    public void Shift_MovesEachImageByWholePixelsWithinTheLimit()
    {
        var x = Images(20).ToArray();
        var y = new Augmentation(H, W) { MaxShift = 2 }.Apply(Tensor.FromSpan(x, new Shape(20, H * W)), 5).ToArray();
        var used = new HashSet<(int, int)>();
        for (int i = 0; i < 20; i++)
        {
            var shifts = from dx in Enumerable.Range(-2, 5) from dy in Enumerable.Range(-2, 5)
                         where Shifted(Image(x, i), dx, dy).Zip(Image(y, i)).All(p => Math.Abs(p.First - p.Second) < 1e-6)
                         select (dx, dy);
            var match = Assert.Single(shifts);
            used.Add(match);
        }
        Assert.True(used.Count > 3);
    }

    [Fact]
    public void Flip_MirrorsSomeImagesAndLeavesTheOthers()
    {
        var x = Images(30).ToArray();
        var y = new Augmentation(H, W) { HorizontalFlip = true }.Apply(Tensor.FromSpan(x, new Shape(30, H * W)), 5).ToArray();
        int flipped = 0;
        for (int i = 0; i < 30; i++)
        {
            var img = Image(x, i);
            var mirror = Enumerable.Range(0, H * W).Select(k => img[k / W * W + (W - 1 - k % W)]).ToArray();
            var got = Image(y, i);
            if (got.SequenceEqual(mirror)) flipped++;
            else Assert.Equal(img, got);
        }
        Assert.InRange(flipped, 5, 25);
    }

    [Fact]
    public void Rotation_KeepsARadiallySymmetricImageAlmostUnchanged()
    {
        const int S = 21;
        var img = new float[S * S];
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
                img[y * S + x] = MathF.Exp(-((x - 10) * (x - 10) + (y - 10) * (y - 10)) / 18f);
        var batch = Tensor.FromSpan(Enumerable.Repeat(img, 8).SelectMany(v => v).ToArray(), new Shape(8, S * S));
        var y2 = new Augmentation(S, S) { MaxRotation = 30 }.Apply(batch, 2).ToArray();
        // Bilinear resampling smooths a little; a misplaced centre would move the blob and err by ~0.3.
        for (int k = 0; k < y2.Length; k++) Assert.Equal(img[k % (S * S)], y2[k], 3e-2f);
        // A blob 5 pixels right of the centre stays 5 pixels from it, turned by at most 30°.
        var dot = new float[S * S];
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
                dot[y * S + x] = MathF.Exp(-((x - 15) * (x - 15) + (y - 10) * (y - 10)) / 2f);
        var dots = new Augmentation(S, S) { MaxRotation = 30 }.Apply(Tensor.FromSpan(Enumerable.Repeat(dot, 8).SelectMany(v => v).ToArray(), new Shape(8, S * S)), 2).ToArray();
        var angles = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            double m = 0, mx = 0, my = 0;
            for (int k = 0; k < S * S; k++)
            {
                float v = dots[i * S * S + k];
                m += v;
                mx += v * (k % S - 10);
                my += v * (k / S - 10);
            }
            Assert.Equal(5, Math.Sqrt(mx * mx + my * my) / m, 1);
            double degrees = Math.Atan2(my, mx) * 180 / Math.PI;
            Assert.InRange(degrees, -30.5, 30.5);
            angles.Add(degrees);
        }
        Assert.True(angles.Max() - angles.Min() > 5);
        // … while an asymmetric image does change.
        var asym = Images(8);
        Assert.NotEqual(asym.ToArray(), new Augmentation(H, W) { MaxRotation = 30 }.Apply(asym, 2).ToArray());
    }

    [Fact]
    public void BrightnessContrastAndNoise_ChangeValuesAsDocumented()
    {
        var x = Images(40).ToArray();
        var t = Tensor.FromSpan(x, new Shape(40, H * W));
        var bright = new Augmentation(H, W) { Brightness = 0.2f }.Apply(t, 1).ToArray();
        var contrast = new Augmentation(H, W) { Contrast = 0.3f }.Apply(t, 1).ToArray();
        var noisy = new Augmentation(H, W) { Noise = 0.1f }.Apply(t, 1).ToArray();
        for (int i = 0; i < 40; i++)
        {
            var img = Image(x, i);
            var b = Image(bright, i);
            float offset = b[0] - img[0];
            Assert.InRange(offset, -0.2f, 0.2f);
            for (int k = 0; k < img.Length; k++) Assert.Equal(img[k] + offset, b[k], 1e-5f);

            var c = Image(contrast, i);
            float mean = img.Average();
            Assert.Equal(mean, c.Average(), 1e-4f);
            float factor = (c[0] - mean) / (img[0] - mean);
            Assert.InRange(factor, 0.7f - 1e-3f, 1.3f + 1e-3f);
            for (int k = 0; k < img.Length; k++) Assert.Equal(mean + (img[k] - mean) * factor, c[k], 1e-4f);
        }
        double std = Math.Sqrt(x.Zip(noisy).Select(p => (double)(p.Second - p.First) * (p.Second - p.First)).Average());
        Assert.InRange(std, 0.09, 0.11);
    }

    [Fact]
    public void WrongShape_OrNegativeSize_Throws()
    {
        var aug = new Augmentation(H, W) { MaxShift = 1 };
        var e = Assert.Throws<ArgumentException>(() => aug.Apply(Tensor.Zeros(2, 41), 1));
        Assert.Contains("[2,41]", e.Message);
        Assert.Throws<ArgumentException>(() => aug.Apply(Tensor.Zeros(2, 1, W, H), 1));
        Assert.Throws<ArgumentException>(() => new Augmentation(H, W) { Noise = -1 }.Apply(Tensor.Zeros(1, H * W), 1));
    }

    [Fact]
    public void WorksAsADataLoaderTransform()
    {
        var aug = new Augmentation(H, W) { MaxShift = 1, Noise = 0.1f };
        var loader = new DataLoader(Images(10), Tensor.Zeros(10, 1), 4, shuffle: true, seed: 3) { Transform = aug.Apply };
        var first = loader.GetEpoch(0).Select(b => b.X.ToArray()).ToList();
        var again = loader.GetEpoch(0).Select(b => b.X.ToArray()).ToList();
        Assert.Equal(first, again);
        Assert.Equal(new[] { 4, 4, 2 }, loader.GetEpoch(0).Select(b => b.X.Shape[0]));
    }
}
