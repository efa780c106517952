using System.IO.Compression;
using System.Text;

namespace DeepLearning.Tests.Data;

/// <summary>
/// The IDX and CSV readers on 10,000 mutated and truncated files each (deterministic seeds): every file either reads
/// or throws the reader's documented <see cref="InvalidDataException"/> naming the file, never another exception.
/// The readers take paths, so one file is rewritten per case, in memory (/dev/shm) where the system has it: on a
/// disk-backed temp folder each case costs milliseconds.
/// </summary>
public sealed class ReaderFuzzTests : IDisposable
{
    private const int Cases = 10_000;

    private readonly string _dir = Directory.Exists("/dev/shm") && !OperatingSystem.IsWindows()
        ? Directory.CreateDirectory(Path.Combine("/dev/shm", $"reader-fuzz-{Guid.NewGuid():N}")).FullName
        : Directory.CreateTempSubdirectory("reader-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Gzip(byte[] raw)
    {
        using var m = new MemoryStream();
        using (var gz = new GZipStream(m, CompressionLevel.Fastest)) gz.Write(raw);
        return m.ToArray();
    }

    private static byte[] Mutate(byte[] seed, Random rng, int headerBytes)
    {
        var b = (byte[])seed.Clone();
        switch (rng.Next(5))
        {
            case 0:
                for (int k = rng.Next(1, 4); k > 0; k--) b[rng.Next(b.Length)] ^= (byte)rng.Next(1, 256);
                return b;
            case 1:
                return b[..rng.Next(b.Length)];
            case 2: // a header byte (magic, dimensions) set to an extreme
                b[rng.Next(Math.Min(headerBytes, b.Length))] = (byte)(rng.Next(2) == 0 ? 0xff : rng.Next(256));
                return b;
            case 3:
            {
                int at = rng.Next(b.Length);
                return rng.Next(2) == 0 ? [.. b[..at], (byte)rng.Next(256), .. b[at..]] : [.. b[..at], .. b[(at + 1)..]];
            }
            default:
                return [.. b, .. Enumerable.Range(0, rng.Next(1, 9)).Select(_ => (byte)rng.Next(256))];
        }
    }

    private static void Run(int cases, Func<int, Random, (byte[] Bytes, Action<string> Read)> make, string path)
    {
        var rng = new Random(2024);
        int read = 0, rejected = 0;
        for (int i = 0; i < cases; i++)
        {
            var (bytes, reader) = make(i, rng);
            File.WriteAllBytes(path, bytes);
            try
            {
                reader(path);
                read++;
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(path, e.Message);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}\nfile: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 200)))}");
            }
        }
        Assert.True(read > 50, $"only {read} files were read");
        Assert.True(rejected > 1000, $"only {rejected} files were rejected");
    }

    [Fact]
    public void Idx_MutatedFiles_ReadOrThrowInvalidData()
    {
        var rng0 = new Random(1);
        var pixels = new byte[2 * 3 * 4];
        rng0.NextBytes(pixels);
        var images = IdxTests.Idx(Idx.ImagesMagic, [2, 3, 4], pixels);
        var labels = IdxTests.Idx(Idx.LabelsMagic, [5], [1, 2, 3, 4, 9]);
        byte[][] seeds = [images, labels, Gzip(images), Gzip(labels)];
        Run(Cases, (i, rng) =>
        {
            int s = i % seeds.Length;
            var bytes = Mutate(seeds[s], rng, s < 2 ? 16 : 24);
            return (bytes, s % 2 == 0 ? p => Idx.ReadImages(p) : p => Idx.ReadLabels(p));
        }, Path.Combine(_dir, "fuzz.idx"));
    }

    [Fact]
    public void Csv_MutatedFiles_ReadOrThrowInvalidData()
    {
        byte[][] seeds =
        [
            Encoding.UTF8.GetBytes("a,b,label\n1.5,-2e-3,0\n3,4,1\n\n5,NaN,2\n"),
            Encoding.UTF8.GetBytes("0.25;1;2\n-7;8.125;3\n"),
        ];
        Run(Cases, (i, rng) =>
        {
            int s = i % seeds.Length;
            var bytes = Mutate(seeds[s], rng, 12);
            char sep = s == 0 ? ',' : ';';
            Action<string> read = (i / 2 % 3) switch
            {
                0 => p => Csv.Read(p, hasHeader: s == 0, separator: sep),
                1 => p => Csv.ReadWithTarget(p, -1, hasHeader: s == 0, separator: sep),
                _ => p => Csv.ReadLabeled(p, -1, hasHeader: s == 0, separator: sep),
            };
            return (bytes, read);
        }, Path.Combine(_dir, "fuzz.csv"));
    }
}
