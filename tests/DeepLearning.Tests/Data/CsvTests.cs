namespace DeepLearning.Tests.Data;

public sealed class CsvTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("csv-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File_(string text)
    {
        string p = Path.Combine(_dir, $"f{Guid.NewGuid():N}.csv");
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void Read_ParsesRowsAndColumns_SkippingBlankLines()
    {
        var t = Csv.Read(File_("1,2.5,-3\n\n4e1, 5 ,NaN\n  \n"));
        Assert.Equal(new Shape(2, 3), t.Shape);
        var a = t.ToArray();
        Assert.Equal(new[] { 1f, 2.5f, -3f, 40f, 5f }, a[..5]);
        Assert.True(float.IsNaN(a[5]));
    }

    [Fact]
    public void Read_WithHeaderAndSeparator()
    {
        string p = File_("a;b\n1;2\n3;4\n");
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, Csv.Read(p, hasHeader: true, separator: ';').ToArray());
        Assert.Equal(new[] { "a", "b" }, Csv.ReadHeader(p, ';'));
    }

    [Theory]
    [InlineData("1e400", 2)]
    [InlineData("-4e38", 1)]
    [InlineData("3.5e38", 3)]
    public void Overflow_is_an_error_naming_line_column_and_text(string text, int column)
    {
        var fields = new[] { "1", "2", "3" };
        fields[column - 1] = text;
        string p = File_($"0,0,0\n\n{string.Join(',', fields)}\n");
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(p));
        Assert.Contains($"line 3, column {column}: '{text}' is outside the float32 range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spelled_infinities_and_NaN_are_values()
    {
        var a = Csv.Read(File_("Infinity,-Infinity,NaN,3.4e38\n")).ToArray();
        Assert.Equal([float.PositiveInfinity, float.NegativeInfinity], a[..2]);
        Assert.True(float.IsNaN(a[2]));
        Assert.Equal(3.4e38f, a[3]);
    }

    [Fact]
    public void BadValue_NamesFileLineAndColumn()
    {
        string p = File_("x,y\n1,2\n3,abc\n");
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(p, hasHeader: true));
        Assert.Contains(p, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("column 2", e.Message);
        Assert.Contains("'abc'", e.Message);
    }

    [Fact]
    public void HeaderNotSkipped_IsABadValueOnLine1() =>
        Assert.Contains("line 1, column 1", Assert.Throws<InvalidDataException>(() => Csv.Read(File_("a,b\n1,2\n"))).Message);

    [Fact]
    public void RaggedRows_NameBothLinesAndCounts()
    {
        string p = File_("1,2,3\n4,5,6\n7,8\n");
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(p));
        Assert.Contains(p, e.Message);
        Assert.Contains("line 3 has 2 fields", e.Message);
        Assert.Contains("line 1 has 3", e.Message);
    }

    [Fact]
    public void EmptyOrMissingFile_Throws()
    {
        Assert.Throws<InvalidDataException>(() => Csv.Read(File_("\n\n")));
        string missing = Path.Combine(_dir, "missing.csv");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => Csv.Read(missing)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void ReadWithTarget_SeparatesOneColumn(int column)
    {
        string p = File_("1,2,3\n4,5,6\n");
        var (x, y) = Csv.ReadWithTarget(p, column);
        int c = column < 0 ? 2 : column;
        var rows = new[] { new float[] { 1, 2, 3 }, new float[] { 4, 5, 6 } };
        Assert.Equal(new Shape(2, 2), x.Shape);
        Assert.Equal(new Shape(2, 1), y.Shape);
        Assert.Equal(rows.Select(r => r[c]), y.ToArray());
        Assert.Equal(rows.SelectMany(r => r.Where((_, j) => j != c)), x.ToArray());
    }

    [Fact]
    public void ReadLabeled_TakesIntegerLabels_AndRejectsOthersWithLine()
    {
        var (x, labels) = Csv.ReadLabeled(File_("0.5,2\n1.5,0\n"), labelColumn: -1);
        Assert.Equal(new[] { 2, 0 }, labels);
        Assert.Equal(new[] { 0.5f, 1.5f }, x.ToArray());
        string p = File_("h1,h2\n0.5,2\n1.5,0.5\n");
        var e = Assert.Throws<InvalidDataException>(() => Csv.ReadLabeled(p, 1, hasHeader: true));
        Assert.Contains("line 3, column 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Csv.ReadLabeled(p, 2, hasHeader: true));
    }
}
