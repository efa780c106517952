using System.Text;

namespace DeepLearning.Tests.Serialization;

public class SafeTensorsReaderTests
{
    private static byte[] File(string json, int dataBytes, ulong? declared = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BitConverter.GetBytes(declared ?? (ulong)header.Length).CopyTo(bytes, 0);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    private const string Ok = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    public static TheoryData<string, int, ulong?, string> Hostile() => new()
    {
        { Ok, 8, 1UL << 62, "more than the 100000000 allowed" },
        { Ok, 8, 90, "is truncated" },
        { Ok, 8, 1, "smallest header" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", 8, null, "not valid JSON" },
        { "[1,2]", 0, null, "expected an object" },
        { """{"a":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}""", 8, null, "dtype 'F31'" },
        { """{"a":{"dtype":"1","shape":[2],"data_offsets":[0,8]}}""", 8, null, "dtype '1'" },
        { """{"a":{"dtype":"F32, F16","shape":[2],"data_offsets":[0,8]}}""", 8, null, "dtype 'F32, F16'" },
        { """{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, null, "dimension 0 = -2" },
        { """{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", 8, null, "dimension 0 = 2.5" },
        { """{"a":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,17179869184]}}""", 8, null, "more than" },
        { """{"a":{"dtype":"F64","shape":[1073741824],"data_offsets":[0,8589934592]}}""", 8, null, "is truncated" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}""", 12, null, "spanning 12 bytes" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, null, "end before they begin" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, null, "overlapping" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, null, "unused" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, null, "after its last tensor" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, null, "names 'a' twice" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}}""", 8, null, "data offset 18446744073709551615" },
        { """{"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, null, "expected a string" },
        { """{"a":{"dtype":"F32","shape":[[[[[2]]]]],"data_offsets":[0,8]}}""", 8, null, "not valid JSON" },
        { """{"a":{"shape":[2],"data_offsets":[0,8]}}""", 8, null, "no dtype" },
        { """{"a":{"dtype":"F32","data_offsets":[0,8]}}""", 8, null, "no shape" },
        { """{"a":{"dtype":"F32","shape":[2]}}""", 8, null, "no data_offsets" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileHeader_IsRejectedBeforeAllocating_WithTheProblemNamed(string json, int dataBytes, ulong? declared, string expected)
    {
        using var stream = new MemoryStream(File(json, dataBytes, declared));
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsHeader.Read(stream, "hostile.safetensors"));
        Assert.Contains("'hostile.safetensors'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>Headers that claim gigabytes are refused after reading at most their own bytes (a counted budget).</summary>
    [Theory]
    [InlineData("""{"a":{"dtype":"F64","shape":[1073741824],"data_offsets":[0,8589934592]}}""", null)]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 99_999_999UL)]
    public void HostileHeader_AllocatesAlmostNothing(string json, ulong? declared)
    {
        var bytes = File(json, 8, declared);
        var model = new Chain(new Dense(1, 1, seed: 1));
        Assert.ThrowsAny<Exception>(() => model.Load(new MemoryStream(bytes)));   // warm up the code paths
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => model.Load(new MemoryStream(bytes)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated for a {bytes.Length}-byte file");
    }

    [Fact]
    public void ValidHeader_WithPaddingAndMetadata_IsRead()
    {
        using var stream = new MemoryStream(File("""{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F16","shape":[0],"data_offsets":[8,8]}}    """, 8));
        var h = SafeTensorsHeader.Read(stream, "x");
        Assert.Equal("v", h.Metadata["k"]);
        Assert.Equal(["a", "e"], h.Entries.Select(e => e.Name));
        Assert.Equal(new Shape(0), h.ByName["e"].Shape);
    }

    /// <summary>
    /// 10,000 files made from valid ones by flipping bytes, truncating, rewriting the header length or a number of the
    /// header: each must load or throw the documented exceptions, never anything else.
    /// </summary>
    [Fact]
    public void Fuzz_MutatedFiles_LoadOrThrowTheDocumentedExceptions()
    {
        var seeds = Seeds();
        // One model per seed, reused: a load either replaces all its tensors or, rejected, changes none.
        var models = seeds.Select(s => s.Make()).ToArray();
        var rng = new Random(12345);
        int loaded = 0, rejected = 0;
        for (int i = 0; i < 10_000; i++)
        {
            var (bytes, _) = seeds[i % seeds.Count];
            var mutated = Mutate(bytes, rng);
            var model = models[i % seeds.Count];
            try
            {
                model.Load(new MemoryStream(mutated), strict: i % 3 != 0, source: "fuzz");
                loaded++;
            }
            catch (Exception e) when (e is InvalidDataException or StateDictMismatchException)
            {
                Assert.Contains("'fuzz", e.Message);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i}: {e.GetType().Name}: {e.Message}\nfile: {Convert.ToHexString(mutated.AsSpan(0, Math.Min(mutated.Length, 300)))}");
            }
        }
        Assert.True(loaded > 100, $"only {loaded} mutated files loaded");
        Assert.True(rejected > 1000, $"only {rejected} mutated files were rejected");
    }

    private static List<(byte[] Bytes, Func<Layer> Make)> Seeds()
    {
        Func<Layer> small = () => new Chain(new Dense(3, 2, seed: 1), new BatchNorm(2));
        Func<Layer> tiny = () => new Chain(new Dense(1, 1, seed: 2));
        var list = new List<(byte[], Func<Layer>)>();
        foreach (var make in new[] { small, tiny })
        {
            using var s = new MemoryStream();
            make().Save(s, new Dictionary<string, string> { ["format"] = "pt" });
            list.Add((s.ToArray(), make));
        }
        var f16 = File("""{"0.bias":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"0.weight":{"dtype":"BF16","shape":[1,1],"data_offsets":[2,4]}}""", 4);
        list.Add((f16, tiny));
        return list;
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var b = (byte[])seed.Clone();
        int headerEnd = (int)Math.Min(8 + BitConverter.ToUInt64(seed), (ulong)seed.Length);
        switch (rng.Next(7))
        {
            case 0: // flip random bytes anywhere
                for (int k = rng.Next(1, 5); k > 0; k--) b[rng.Next(b.Length)] ^= (byte)rng.Next(1, 256);
                return b;
            case 1: // truncate
                return b[..rng.Next(b.Length)];
            case 2: // rewrite the header length
                BitConverter.GetBytes(rng.Next(3) switch { 0 => (ulong)rng.NextInt64(), 1 => (ulong)rng.Next(0, 400), _ => (ulong)(headerEnd - 8 + rng.Next(-9, 10)) }).CopyTo(b, 0);
                return b;
            case 3: // change one digit of the header (shapes, offsets)
            {
                var digits = Enumerable.Range(8, headerEnd - 8).Where(j => char.IsAsciiDigit((char)b[j])).ToList();
                if (digits.Count > 0) b[digits[rng.Next(digits.Count)]] = (byte)('0' + rng.Next(10));
                return b;
            }
            case 4: // replace a number of the header by a large or negative one
            {
                string text = Encoding.UTF8.GetString(b, 8, headerEnd - 8);
                var numbers = System.Text.RegularExpressions.Regex.Matches(text, "[0-9]+");
                if (numbers.Count == 0) return b;
                var m = numbers[rng.Next(numbers.Count)];
                string big = rng.Next(4) switch { 0 => "-1", 1 => "99999999999999999999", 2 => "4294967296", _ => rng.Next(0, 64).ToString(System.Globalization.CultureInfo.InvariantCulture) };
                string changed = text[..m.Index] + big + text[(m.Index + m.Length)..];
                var header = Encoding.UTF8.GetBytes(changed);
                var result = new byte[8 + header.Length + (b.Length - headerEnd)];
                BitConverter.GetBytes((ulong)header.Length).CopyTo(result, 0);
                header.CopyTo(result, 8);
                b.AsSpan(headerEnd).CopyTo(result.AsSpan(8 + header.Length));
                return result;
            }
            case 5: // insert or delete a byte
            {
                int at = rng.Next(b.Length);
                return rng.Next(2) == 0 ? [.. b[..at], (byte)rng.Next(256), .. b[at..]] : [.. b[..at], .. b[(at + 1)..]];
            }
            default: // change only the data (must load, with the changed values)
                if (b.Length > headerEnd) b[rng.Next(headerEnd, b.Length)] ^= (byte)rng.Next(1, 256);
                return b;
        }
    }
}
