using System.Diagnostics;

namespace DeepLearning.Tests.Serialization;

/// <summary>
/// Interop proven against PyTorch itself (Debian's python3-torch, run as /usr/bin/python3 with torch_interop.py): a
/// model trained and saved here gives the same outputs in PyTorch's <c>nn.Sequential</c>, and one trained and saved
/// by PyTorch gives the same outputs here. Skipped, with the reason, where PyTorch is not installed.
/// </summary>
public sealed class StateDictTorchTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private const double Tolerance = 1e-6;

    private readonly string _dir = Directory.CreateTempSubdirectory("torch-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Lazy<string?> WhyNot = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} not found (install python3-torch)";
        var (code, output) = Run("-c \"import torch\"");
        return code == 0 ? null : $"{Python} cannot import torch (install Debian's python3-torch): {output.Trim()}";
    });

    private static (int Code, string Output) Run(string arguments)
    {
        var start = new ProcessStartInfo(Python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "timed out after 300 s");
        }
        return (p.ExitCode, stdout.Result + stderr);
    }

    private static void Torch(params string[] args)
    {
        var script = Path.Combine(ArchitectureTests.RepositoryRoot(), "tests", "DeepLearning.Tests", "Serialization", "torch_interop.py");
        var (code, output) = Run(string.Join(' ', new[] { script }.Concat(args).Select(a => $"\"{a}\"")));
        Assert.True(code == 0, $"torch_interop.py {string.Join(' ', args)} failed ({code}):\n{output}");
    }

    private static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        var header = SafeTensorsHeader.Read(stream, path);
        var result = new Dictionary<string, Tensor>();
        foreach (var e in header.Entries)
        {
            var values = new float[e.Shape.Length];
            header.ReadTensor(stream, e, values);
            result[e.Name] = Tensor.FromSpan(values, e.Shape);
        }
        return result;
    }

    /// <summary>max |ours − torch| over max |torch|: the error relative to the outputs' scale.</summary>
    private static double RelativeError(Tensor ours, Tensor torch)
    {
        Assert.Equal(torch.Shape, ours.Shape);
        var a = ours.ToArray();
        var b = torch.ToArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs((double)b[i]));
        }
        Assert.True(scale > 0.1, $"outputs too small to compare ({scale})");
        return diff / scale;
    }

    [SkippableFact]
    public void ModelTrainedHere_GivesTheSameOutputsInPyTorch()
    {
        Skip.If(WhyNot.Value is not null, WhyNot.Value);
        var model = StateDictTests.Model(11);
        StateDictTests.TrainABit(model);
        var weights = Path.Combine(_dir, "ours.safetensors");
        model.Save(weights);
        var x = Tensor.FromSpan(TestData.Uniform(6 * 4, 12, -2, 2), new Shape(6, 4));
        var inputs = Path.Combine(_dir, "x.safetensors");
        using (var f = File.Create(inputs)) SafeTensorsWriter.Write(f, [new("x", x)], null);
        var output = Path.Combine(_dir, "y.safetensors");

        Torch("forward", weights, inputs, output);

        double error = RelativeError(model.Forward(x), Read(output)["y"]);
        log.WriteLine($"ours → torch: max |Δ| / max |y| = {error:E2}");
        Assert.True(error <= Tolerance, $"relative error {error:E2} > {Tolerance:E0}");
    }

    [SkippableFact]
    public void ModelTrainedInPyTorch_GivesTheSameOutputsHere()
    {
        Skip.If(WhyNot.Value is not null, WhyNot.Value);
        var weights = Path.Combine(_dir, "torch.safetensors");
        var io = Path.Combine(_dir, "io.safetensors");

        Torch("train-save", weights, io);

        var model = StateDictTests.Model(13);
        var result = model.Load(weights);
        Assert.Equal(["1.num_batches_tracked"], result.Ignored);
        var expected = Read(io);
        double error = RelativeError(model.Forward(expected["x"]), expected["y"]);
        log.WriteLine($"torch → ours: max |Δ| / max |y| = {error:E2}");
        Assert.True(error <= Tolerance, $"relative error {error:E2} > {Tolerance:E0}");
    }
}
