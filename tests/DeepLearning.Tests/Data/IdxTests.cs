using System.Buffers.Binary;
using System.IO.Compression;

namespace DeepLearning.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("idx-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static byte[] Idx(int magic, int[] dims, byte[] payload)
    {
        var b = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        payload.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    internal static void Write(string path, byte[] bytes, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var f = File.Create(path);
        using var gz = new GZipStream(f, CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    private string Path_(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ValidFile_ScalesBytesTo01(bool gzip)
    {
        var pixels = new byte[] { 0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8 };
        string p = Path_("images" + (gzip ? ".gz" : ""));
        Write(p, Idx(0x803, [2, 2, 3], pixels), gzip);
        var t = DeepLearning.Idx.ReadImages(p);
        Assert.Equal(new Shape(2, 2, 3), t.Shape);
        Assert.Equal(pixels.Select(b => b / 255f), t.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadLabels_ValidFile(bool gzip)
    {
        string p = Path_("labels");
        Write(p, Idx(0x801, [4], [3, 0, 9, 200]), gzip);
        Assert.Equal(new[] { 3, 0, 9, 200 }, DeepLearning.Idx.ReadLabels(p));
    }

    public static TheoryData<string, bool, string> BadFiles() => new()
    {
        // name, images?, a phrase the message must hold
        { "labels-as-images", true, "magic number 0x00000801, expected 0x00000803" },
        { "images-as-labels", false, "magic number 0x00000803, expected 0x00000801" },
        { "truncated-payload", true, "truncated" },
        { "truncated-header", true, "truncated" },
        { "trailing-bytes", false, "after the" },
        { "bad-gzip", false, "does not decompress" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFile_MessageNamesTheFileAndTheProblem(string name, bool images, string phrase)
    {
        string p = Path_(name);
        byte[] bytes = name switch
        {
            "labels-as-images" => Idx(0x801, [2], [1, 2]),
            "images-as-labels" => Idx(0x803, [1, 1, 1], [1]),
            "truncated-payload" => Idx(0x803, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7]),
            "truncated-header" => Idx(0x803, [2, 2, 2], [])[..10],
            "trailing-bytes" => Idx(0x801, [2], [1, 2, 3]),
            _ => [0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        };
        File.WriteAllBytes(p, bytes);
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            if (images) DeepLearning.Idx.ReadImages(p);
            else DeepLearning.Idx.ReadLabels(p);
        });
        Assert.Contains(p, e.Message);
        Assert.Contains(phrase, e.Message);
    }

    [Fact]
    public void MissingFile_NamesIt()
    {
        string p = Path_("nope");
        var e = Assert.Throws<FileNotFoundException>(() => DeepLearning.Idx.ReadLabels(p));
        Assert.Contains(p, e.Message);
    }
}
