namespace DeepLearning.Tests.Data;

public sealed class MnistTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mnist-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The shared MNIST folder: ../shared/data/mnist beside the repository root (or beside an ancestor of it).</summary>
    internal static string? RealMnistDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DeepLearning.sln"))) dir = dir.Parent;
        for (var d = dir?.Parent; d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", "mnist");
            if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz"))) return candidate;
        }
        return null;
    }

    // A small MNIST-shaped set: image i of a part has every pixel equal to (i·10 + part) and label i % 10.
    private void WriteFake(int train, int test, bool gzip, int labelOffset = 0)
    {
        string ext = gzip ? ".gz" : "";
        foreach (var (prefix, n, part) in new[] { ("train", train, 0), ("t10k", test, 1) })
        {
            var pixels = new byte[n * 784];
            for (int i = 0; i < n; i++) pixels.AsSpan(i * 784, 784).Fill((byte)(i * 10 + part));
            var labels = Enumerable.Range(0, n).Select(i => (byte)(i % 10 + labelOffset)).ToArray();
            IdxTests.Write(Path.Combine(_dir, $"{prefix}-images-idx3-ubyte{ext}"), IdxTests.Idx(0x803, [n, 28, 28], pixels), gzip);
            IdxTests.Write(Path.Combine(_dir, $"{prefix}-labels-idx1-ubyte{ext}"), IdxTests.Idx(0x801, [n], labels), gzip);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_ReadsBothPartsAsRowsIn01(bool gzip)
    {
        WriteFake(train: 12, test: 3, gzip);
        var (train, test) = Mnist.Load(_dir);
        Assert.Equal(new Shape(12, 784), train.Images.Shape);
        Assert.Equal(new Shape(3, 784), test.Images.Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i % 10), train.Labels);
        Assert.Equal(3, test.Count);
        Assert.Equal((2 * 10 + 1) / 255f, test.Images[2, 500]);
        Assert.Equal(110 / 255f, train.Images[11, 0]);
    }

    [Fact]
    public void MissingFile_SaysWhereTheFourFilesShouldBe()
    {
        WriteFake(2, 2, gzip: true);
        File.Delete(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"));
        var e = Assert.Throws<FileNotFoundException>(() => Mnist.Load(_dir));
        Assert.Contains(_dir, e.Message);
        foreach (var name in Mnist.FileNames) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void MissingDirectory_NamesIt()
    {
        string d = Path.Combine(_dir, "absent");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Mnist.Load(d));
        Assert.Contains(d, e.Message);
    }

    [Fact]
    public void ImageAndLabelCountsDiffer_NamesBothFiles()
    {
        WriteFake(4, 2, gzip: false);
        string labels = Path.Combine(_dir, "train-labels-idx1-ubyte");
        IdxTests.Write(labels, IdxTests.Idx(0x801, [3], [1, 2, 3]), gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(_dir));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("4 images", e.Message);
        Assert.Contains("3 labels", e.Message);
    }

    [Fact]
    public void LabelAboveNine_NamesFileAndIndex()
    {
        WriteFake(12, 2, gzip: false, labelOffset: 1);
        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(_dir));
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
        Assert.Contains("label 10 at index 9", e.Message);
    }

    [SkippableFact]
    public void RealMnist_Has60000And10000ImagesWithDigitLabels()
    {
        string? dir = RealMnistDirectory();
        Skip.If(dir is null, "MNIST files not found: expected ../shared/data/mnist beside the repository root (the folder holding DeepLearning.sln)");
        var (train, test) = Mnist.Load(dir!);
        Assert.Equal(new Shape(60000, 784), train.Images.Shape);
        Assert.Equal(new Shape(10000, 784), test.Images.Shape);
        foreach (var set in new[] { train, test })
        {
            Assert.All(set.Labels, l => Assert.InRange(l, 0, 9));
            Assert.Equal(10, set.Labels.Distinct().Count());
            Assert.Equal(0f, set.Images.Min().Item());
            Assert.Equal(1f, set.Images.Max().Item());
        }
        // Known facts of the files: the first training digit is a 5, the first test digit a 7.
        Assert.Equal(5, train.Labels[0]);
        Assert.Equal(7, test.Labels[0]);
    }
}
