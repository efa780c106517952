namespace DeepLearning.Tests.Tensors;

/// <summary>ToString previews.</summary>
public class FormattingTests
{
    public static TheoryData<Func<Tensor>, string> Previews => new()
    {
        { () => Tensor.Scalar(2.5f), "Tensor []: 2.5" },
        { () => Tensor.FromArray([1f, 2, 3]), "Tensor [3]: [1, 2, 3]" },
        { () => Tensor.FromArray([1f, 2, 3, 4, 5, 6]), "Tensor [6]: [1, 2, 3, 4, 5, 6]" },
        { () => Tensor.FromArray([1f, 2, 3, 4, 5, 6, 7]), "Tensor [7]: [1, 2, 3, …, 5, 6, 7]" },
        { () => Tensor.FromSpan(Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), new Shape(100)), "Tensor [100]: [0, 1, 2, …, 97, 98, 99]" },
        { () => Tensor.FromArray(new float[,] { { 1, -2 }, { 0.5f, 1e-7f } }), "Tensor [2,2]: [[1, -2], [0.5, 1E-07]]" },
        { () => Tensor.FromSpan(Enumerable.Range(0, 16).Select(i => (float)i).ToArray(), new Shape(8, 2)),
            "Tensor [8,2]: [[0, 1], [2, 3], [4, 5], …, [10, 11], [12, 13], [14, 15]]" },
        { () => new Parameter(Tensor.Zeros(2), "0.bias"), "Tensor '0.bias' [2]: [0, 0]" },
    };

    [Theory]
    [MemberData(nameof(Previews))]
    public void Preview_shows_shape_and_leading_and_trailing_values(Func<Tensor> create, string expected) =>
        Assert.Equal(expected, create().ToString());
}
