namespace DeepLearning.Tests.Data;

public class BatchTests
{
    [Fact]
    public void Batch_StacksSamplesAlongANewFirstAxis()
    {
        var a = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var b = Tensor.FromArray(new float[,] { { 7, 8, 9 }, { 10, 11, 12 } });
        var s = Tensor.Batch(a, b);
        Assert.Equal(new Shape(2, 2, 3), s.Shape);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (float)i).ToArray(), s.ToArray());
        Assert.Equal(9f, s[1, 0, 2]);
    }

    [Fact]
    public void Batch_OfScalars_IsAVector()
    {
        var s = Tensor.Batch([Tensor.Scalar(3), Tensor.Scalar(-1)]);
        Assert.Equal(new Shape(2), s.Shape);
        Assert.Equal(new[] { 3f, -1f }, s.ToArray());
    }

    [Fact]
    public void Batch_MismatchedShape_NamesSampleAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Batch(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("sample 2", e.Message);
        Assert.Contains("[3,2]", e.Message);
        Assert.Contains("[2,3]", e.Message);
    }

    [Fact]
    public void Batch_Empty_Throws() => Assert.Throws<ArgumentException>(() => Tensor.Batch(Array.Empty<Tensor>()));

    [Fact]
    public void Batch_GradientCheck()
    {
        var a = Tensor.RandN(new Shape(2, 3), 1);
        var b = Tensor.RandN(new Shape(2, 3), 2);
        var w = Tensor.RandN(new Shape(2, 2, 3), 3);
        var r = GradientCheck.Run(() => (Tensor.Batch(a, b) * w).Sum(), [a, b]);
        Assert.True(r.Passed, r.ToString());
    }
}
