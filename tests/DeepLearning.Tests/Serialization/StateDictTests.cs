using System.Buffers.Binary;
using System.Text;
using static DeepLearning.Activations;

namespace DeepLearning.Tests.Serialization;

public sealed class StateDictTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("statedict-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static Chain Model(ulong seed, int inputs = 4, int hidden = 8, int outputs = 3) =>
        new(new Dense(inputs, hidden, seed: seed), new BatchNorm(hidden), (Func<Tensor, Tensor>)Relu, new Dense(hidden, outputs, seed: seed + 1));

    /// <summary>Trains a few steps so parameters and BatchNorm's running statistics all move away from their initial values.</summary>
    internal static void TrainABit(Layer model, int inputs = 4, int outputs = 3, int steps = 5)
    {
        var opt = new Adam(0.05f).Setup(model);
        var x = Tensor.FromSpan(TestData.Uniform(32 * inputs, 7), new Shape(32, inputs));
        var y = Tensor.FromSpan(TestData.Uniform(32 * outputs, 8), new Shape(32, outputs));
        for (int i = 0; i < steps; i++) Trainer.TrainStep((a, b) => Losses.Mse(model.Forward(a), b), x, y, opt);
    }

    private static Dictionary<string, float[]> Values(Layer model) =>
        StateDictTensors(model).ToDictionary(t => t.Key, t => t.Value.ToArray());

    private static IEnumerable<KeyValuePair<string, Tensor>> StateDictTensors(Layer model) =>
        model.NamedParameters().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)).Concat(model.NamedBuffers());

    [Fact]
    public void SaveThenLoad_RestoresParametersAndBuffersExactly()
    {
        var model = Model(1);
        TrainABit(model);
        var path = Path.Combine(_dir, "m.safetensors");
        model.Save(path);
        var copy = Model(100);
        Assert.NotEqual(Values(model)["0.weight"], Values(copy)["0.weight"]);
        var result = copy.Load(path);
        Assert.True(result.IsComplete);
        var expected = Values(model);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "1.running_mean", "1.running_var"], expected.Keys);
        Assert.NotEqual(new float[8], expected["1.running_mean"]);
        foreach (var (name, values) in Values(copy)) Assert.Equal(expected[name], values);
        var x = Tensor.FromSpan(TestData.Uniform(20, 3), new Shape(5, 4));
        Assert.Equal(model.Forward(x).ToArray(), copy.Forward(x).ToArray());
    }

    [Fact]
    public void Save_WritesTheSafetensorsLayout()
    {
        var model = new Chain(new Dense(2, 3, seed: 5));
        using var stream = new MemoryStream();
        model.Save(stream, new Dictionary<string, string> { ["note"] = "hi" });
        var bytes = stream.ToArray();
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Equal(
            """{"__metadata__":{"note":"hi"},"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[24,36]}}""",
            header.TrimEnd(' '));
        Assert.Equal(8 + n + 36, bytes.Length);
        var w = ((Dense)model[0]).Weight.ToArray();
        for (int i = 0; i < 6; i++) Assert.Equal(w[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(8 + n + 4 * i))));
    }

    /// <summary>A file built byte by byte from the format's specification, with each dtype the reader converts.</summary>
    [Theory]
    [InlineData("F32")]
    [InlineData("F64")]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void Load_FileWrittenFromTheSpecification(string dtype)
    {
        float[] weight = [0.5f, -1.25f, 2f, 0.375f, -3f, 1f];   // exact in every dtype
        float[] bias = [0.25f, -0.5f, 4f];
        var data = new List<byte>();
        void Put(float v)
        {
            switch (dtype)
            {
                case "F32": data.AddRange(BitConverter.GetBytes(v)); break;
                case "F64": data.AddRange(BitConverter.GetBytes((double)v)); break;
                case "F16": data.AddRange(BitConverter.GetBytes((Half)v)); break;
                default: data.AddRange(BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >>> 16))); break;
            }
        }
        foreach (var v in bias) Put(v);       // bias first: the order of the data area need not follow the model
        int size = data.Count / 3;
        foreach (var v in weight) Put(v);
        string json = $$$"""{"0.weight":{"dtype":"{{{dtype}}}","shape":[3,2],"data_offsets":[{{{3 * size}}},{{{9 * size}}}]},"0.bias":{"dtype":"{{{dtype}}}","shape":[3],"data_offsets":[0,{{{3 * size}}}]},"__metadata__":{"format":"pt"}}""";
        var file = new List<byte>();
        file.AddRange(BitConverter.GetBytes((ulong)json.Length));
        file.AddRange(Encoding.UTF8.GetBytes(json));
        file.AddRange(data);
        var path = Path.Combine(_dir, $"spec-{dtype}.safetensors");
        File.WriteAllBytes(path, [.. file]);

        var model = new Chain(new Dense(2, 3, seed: 1));
        model.Load(path);
        Assert.Equal(weight, ((Dense)model[0]).Weight.ToArray());
        Assert.Equal(bias, ((Dense)model[0]).Bias!.ToArray());
    }

    [Fact]
    public void StrictLoad_ListsEveryMismatchAtOnce_AndChangesNothing()
    {
        var path = Path.Combine(_dir, "other.safetensors");
        new Chain(new Dense(5, 8, seed: 1), new Dense(8, 3, seed: 2), new Dense(3, 2, seed: 3)).Save(path);
        var model = Model(4);
        var before = Values(model);
        var e = Assert.Throws<StateDictMismatchException>(() => model.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("shape 0.weight: model [8,4], file [8,5]", e.Message);
        Assert.Contains("missing 1.running_mean: model [8], not in the file", e.Message);
        Assert.Contains("missing 3.weight: model [3,8]", e.Message);
        Assert.Contains("unexpected 2.weight: file [2,3], not in the model", e.Message);
        Assert.Contains("shape 1.bias: model [8], file [3]", e.Message);
        Assert.Equal(["0.weight", "1.weight", "1.bias"], e.Result.Mismatched.Select(m => m.Name));
        Assert.Equal(["3.weight", "3.bias", "1.running_mean", "1.running_var"], e.Result.Missing);
        Assert.Equal(["2.weight", "2.bias"], e.Result.Unexpected);
        foreach (var (name, values) in Values(model)) Assert.Equal(before[name], values);
    }

    [Fact]
    public void NonStrictLoad_LoadsWhatFits_AndReturnsTheRest()
    {
        var path = Path.Combine(_dir, "partial.safetensors");
        var source = new Chain(new Dense(4, 8, seed: 9), new Dense(8, 2, seed: 10));
        source.Save(path);
        var model = Model(4);
        var result = model.Load(path, strict: false);
        Assert.False(result.IsComplete);
        Assert.Equal(((Dense)source[0]).Weight.ToArray(), ((Dense)model[0]).Weight.ToArray());
        Assert.Equal(["3.weight", "3.bias", "1.running_mean", "1.running_var"], result.Missing);
        Assert.Empty(result.Unexpected);
        Assert.Equal([new ShapeMismatch("1.weight", new Shape(8), new Shape(2, 8)), new ShapeMismatch("1.bias", new Shape(8), new Shape(2))], result.Mismatched);
    }

    [Fact]
    public void Load_SkipsPyTorchBatchNormCounter()
    {
        var model = Model(2);
        using var stream = new MemoryStream();
        var extra = StateDictTensors(model).Append(new("1.num_batches_tracked", Tensor.Scalar(5f))).ToList();
        SafeTensorsWriter.Write(stream, extra, null);
        var result = Model(3).Load(stream);
        Assert.True(result.IsComplete);
        Assert.Equal(["1.num_batches_tracked"], result.Ignored);
    }

    [Fact]
    public void OnADevice_EachTensorCrossesTheHostOnce()
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        KeyValuePair<string, Tensor>[] source =
        [
            new("a", Tensor.FromSpan(TestData.Uniform(300, 1), new Shape(30, 10), device)),
            new("b", Tensor.FromSpan(TestData.Uniform(7, 2), new Shape(7), device)),
            new("c", Tensor.FromSpan(TestData.Uniform(24, 3), new Shape(2, 3, 4), device)),
        ];
        using var stream = new MemoryStream();
        var written = backend.Count(() => SafeTensorsWriter.Write(stream, source, null));
        Assert.Equal(3, written.Downloads);
        Assert.Equal(0, written.Uploads);

        var targets = source.Select(t => new KeyValuePair<string, Tensor>(t.Key, Tensor.Zeros(t.Value.Shape, device))).ToList();
        var read = backend.Count(() =>
        {
            var header = SafeTensorsHeader.Read(stream, "device test");
            var (result, plan) = StateDict.Match(header, targets, "");
            Assert.True(result.IsComplete);
            StateDict.Apply(stream, header, plan);
        });
        Assert.Equal(3, read.Uploads);
        Assert.Equal(0, read.Downloads);
        for (int i = 0; i < source.Length; i++) Assert.Equal(source[i].Value.ToArray(), targets[i].Value.ToArray());
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var path = Path.Combine(_dir, "nope.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => Model(1).Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_TruncatedFile_NamesFileAndProblem()
    {
        var path = Path.Combine(_dir, "t.safetensors");
        Model(1).Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var e = Assert.Throws<InvalidDataException>(() => Model(1).Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }
}
