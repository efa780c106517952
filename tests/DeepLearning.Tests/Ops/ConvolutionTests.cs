namespace DeepLearning.Tests.Ops;

/// <summary>Convolution ops: output sizes, equivalences between the 1-D, 2-D and transposed forms, and bad input.</summary>
public class ConvolutionTests
{
    [Theory]
    [InlineData(28, 3, 1, 1, "valid", 26)]
    [InlineData(28, 3, 1, 1, "same", 28)]
    [InlineData(28, 3, 2, 1, "same", 14)]
    [InlineData(7, 4, 3, 1, "same", 3)]
    [InlineData(9, 3, 1, 2, "same", 9)]
    [InlineData(10, 3, 2, 2, "1", 4)]
    public void Output_size_follows_PyTorch_and_same_keeps_ceil_of_input_over_stride(int size, int k, int s, int d, string pad, int expected)
    {
        Padding p = pad switch { "valid" => Padding.Valid, "same" => Padding.Same, _ => int.Parse(pad, System.Globalization.CultureInfo.InvariantCulture) };
        var y = Tensor.Conv2D(Tensor.Ones(1, 1, size, size), Tensor.Ones(1, 1, k, k), stride: s, padding: p, dilation: d);
        Assert.Equal(new Shape(1, 1, expected, expected), y.Shape);
    }

    [Fact]
    public void Same_padding_puts_the_odd_row_at_the_bottom_and_right()
    {
        // A 2×2 all-ones kernel over a 3×3 input with 'same': total padding 1, all of it after (bottom/right).
        var x = Tensor.FromSpan([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], new Shape(1, 1, 3, 3));
        var y = Tensor.Conv2D(x, Tensor.Ones(1, 1, 2, 2), padding: Padding.Same);
        Assert.Equal([12f, 16f, 9f, 24f, 28f, 15f, 15f, 17f, 9f], y.ToArray());
    }

    [Fact]
    public void Conv1D_is_Conv2D_over_height_one()
    {
        var x = Tensor.RandN(new Shape(2, 4, 11), seed: 1);
        var w = Tensor.RandN(new Shape(6, 2, 3), seed: 2);
        var b = Tensor.RandN(new Shape(6), seed: 3);
        var y = Tensor.Conv1D(x, w, b, stride: 2, padding: Padding.Explicit(0, 0, 2, 1), dilation: 2, groups: 2);
        var y2 = Tensor.Conv2D(x.Reshape(2, 4, 1, 11), w.Reshape(6, 2, 1, 3), b, (1, 2), Padding.Explicit(0, 0, 2, 1), (1, 2), 2);
        Assert.Equal(new Shape(2, 6, 5), y.Shape);
        Assert.Equal(y2.ToArray(), y.ToArray());
    }

    [Fact]
    public void ConvTranspose2D_is_the_adjoint_of_Conv2D()
    {
        // ⟨conv(x, W), u⟩ = ⟨x, convᵀ(u, W)⟩ for every x and u: the transposed convolution is the adjoint map.
        var x = Tensor.RandN(new Shape(2, 4, 9, 8), seed: 1);
        var w = Tensor.RandN(new Shape(6, 2, 3, 2), seed: 2);
        var y = Tensor.Conv2D(x, w, stride: 2, padding: Padding.Explicit(1, 0, 1, 1), dilation: (1, 2), groups: 2);
        var u = Tensor.RandN(y.Shape, seed: 3);
        var t = Tensor.ConvTranspose2D(u, w, stride: 2, padding: Padding.Explicit(1, 0, 1, 1), outputPadding: (1, 1), dilation: (1, 2), groups: 2);
        Assert.Equal(x.Shape, t.Shape);
        LayerTestingShim.Close((y * u).Sum().Item(), (x * t).Sum().Item(), 1e-4);
    }

    [Fact]
    public void ConvTranspose2D_output_size_and_bias()
    {
        var x = Tensor.RandN(new Shape(1, 3, 4, 5), seed: 1);
        var w = Tensor.RandN(new Shape(3, 2, 3, 3), seed: 2);
        var b = Tensor.FromSpan([1f, -2f], new Shape(2));
        var y = Tensor.ConvTranspose2D(x, w, b, stride: 2, padding: 1, outputPadding: 1);
        Assert.Equal(new Shape(1, 2, 8, 10), y.Shape);
        var noBias = Tensor.ConvTranspose2D(x, w, null, stride: 2, padding: 1, outputPadding: 1);
        TestData.AssertClose((noBias + b.Reshape(1, 2, 1, 1)).ToArray(), y.ToArray(), 1e-6);
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "rank 2", "input", "Conv2D: input [2,9] must be [batch, channels, height, width]" },
        { "channels", "input", "Conv2D: input [1,3,5,5] has 3 channels, weight [4,2,3,3] expects 2" },
        { "groups", "groups", "Conv2D: groups 2 must divide the input channels (3, input [1,3,5,5])" },
        { "kernel too large", "", "Conv2D: the window (7 along the height) is larger than the padded input (5" },
        { "stride 0", "stride", "Conv2D: stride 0×0 must be positive" },
        { "negative padding", "padding", "Conv2D: padding -1 must not be negative" },
        { "bias", "bias", "Conv2D: bias [3] does not fit weight [4,3,3,3] (expected [4])" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_names_the_op_the_argument_and_the_shapes(string what, string argument, string message)
    {
        var x = Tensor.Zeros(1, 3, 5, 5);
        var w = Tensor.Zeros(4, 3, 3, 3);
        Action call = what switch
        {
            "rank 2" => () => Tensor.Conv2D(Tensor.Zeros(2, 9), w),
            "channels" => () => Tensor.Conv2D(x, Tensor.Zeros(4, 2, 3, 3)),
            "groups" => () => Tensor.Conv2D(x, Tensor.Zeros(4, 1, 3, 3), groups: 2),
            "kernel too large" => () => Tensor.Conv2D(x, Tensor.Zeros(4, 3, 7, 7)),
            "stride 0" => () => Tensor.Conv2D(x, w, stride: 0),
            "negative padding" => () => Tensor.Conv2D(x, w, padding: -1),
            _ => () => Tensor.Conv2D(x, w, Tensor.Zeros(3)),
        };
        var e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        if (argument.Length > 0) Assert.Equal(argument, e.ParamName);
    }

    [Fact]
    public void Transposed_convolution_rejects_same_padding_and_large_output_padding()
    {
        var x = Tensor.Zeros(1, 2, 3, 3);
        var w = Tensor.Zeros(2, 1, 3, 3);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => Tensor.ConvTranspose2D(x, w, padding: Padding.Same)).ParamName);
        Assert.Equal("outputPadding", Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.ConvTranspose2D(x, w, stride: 2, outputPadding: 2)).ParamName);
    }
}

internal static class LayerTestingShim
{
    public static void Close(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
}
