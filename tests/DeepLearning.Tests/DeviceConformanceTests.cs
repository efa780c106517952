using DeepLearning.Tests.Layers;
using DeepLearning.Tests.Ops;
using DeepLearning.Tests.Optimizers;

namespace DeepLearning.Tests;

/// <summary>
/// Every op (forward and backward), layer, loss and optimizer rule of the test tables, run on each device besides the
/// CPU and compared with the CPU: values and gradients within 1e-5 relative. A new backend is a new row of
/// <see cref="Devices"/>; the test device (<see cref="TestBackend"/>) is the row every machine has, catching code that
/// assumes host memory or creates tensors on the CPU behind a device's back.
/// </summary>
public class DeviceConformanceTests
{
    private static readonly Dictionary<string, Device> Devices = new() { ["test"] = TestBackend.Shared };

    private static TheoryData<string, string> Cross(IEnumerable<string> names)
    {
        var data = new TheoryData<string, string>();
        foreach (var device in Devices.Keys)
            foreach (var name in names) data.Add(device, name);
        return data;
    }

    public static TheoryData<string, string> Ops() => Cross(OpCases.AllNames);
    public static TheoryData<string, string> LayerRows() => Cross(LayerTests.Rows.Select(r => r.Name));
    public static TheoryData<string, string> LossRows() => Cross(LossesTests.Rows.Select(r => r.Name));
    public static TheoryData<string, string> Rules() => Cross(OptimizerRuleTests.Rules.Keys);

    /// <summary>The value of <paramref name="f"/> and its gradients w.r.t. <paramref name="sources"/>, read back.</summary>
    private static List<float[]> ValueAndGradients(Func<Tensor> f, IReadOnlyList<Tensor> sources)
    {
        using var scope = TensorScope.Begin();
        var (value, grads) = Autodiff.ValueAndGradient(f, sources);
        return [value.ToArray(), .. sources.Select(s => grads[s].ToArray())];
    }

    private static void AssertClose(List<float[]> cpu, List<float[]> device, string what)
    {
        Assert.Equal(cpu.Count, device.Count);
        for (int k = 0; k < cpu.Count; k++)
        {
            Assert.Equal(cpu[k].Length, device[k].Length);
            for (int i = 0; i < cpu[k].Length; i++)
            {
                float a = cpu[k][i], b = device[k][i];
                Assert.True(a == b || Math.Abs(a - b) <= 1e-5 * Math.Max(Math.Abs(a), 1e-3) || (float.IsNaN(a) && float.IsNaN(b)),
                    $"{what}: result {k} element {i}: cpu {a}, device {b}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Op_forward_and_backward_match_the_cpu(string device, string name)
    {
        var op = OpCases.Get(name);
        List<float[]> Run(Device d)
        {
            using var scope = TensorScope.Begin();
            var inputs = op.Inputs.Select((input, i) => TestData.Tensor(new Shape(input.Shape), TestData.AwayFromZero(new Shape(input.Shape).Length, 500 + i)).To(d)).ToArray();
            if (op.Inputs.Any(i => i.Draw == Draw.Positive))
                inputs = [.. op.Inputs.Select((input, i) => TestData.Tensor(new Shape(input.Shape), input.Draw == Draw.Positive
                    ? TestData.Positive(new Shape(input.Shape).Length, 500 + i) : TestData.Grid(new Shape(input.Shape).Length, 500 + i, offset: input.Draw == Draw.GridShifted)).To(d))];
            var outShape = op.Op(inputs).Shape;
            var r = TestData.Tensor(outShape, TestData.Uniform(outShape.Length, 7, -1.5, 1.5)).To(d);
            return ValueAndGradients(() => (op.Op(inputs) * r).Sum(), inputs);
        }
        AssertClose(Run(Device.Cpu), Run(Devices[device]), name);
    }

    [Theory]
    [MemberData(nameof(LayerRows))]
    public void Layer_forward_and_backward_match_the_cpu(string device, string name)
    {
        var row = LayerTests.Rows.Single(r => r.Name == name);
        List<float[]> Run(Device d)
        {
            var layer = row.Make().To(d);
            _ = row.Mode switch { LayerMode.Train => layer.TrainMode(), LayerMode.Test => layer.TestMode(), _ => layer.AutoMode() };
            ulong seed = 31;
            foreach (var p in layer.Parameters()) p.Assign(LayerTesting.Random(p.Shape.ToArray(), seed++, -1.5f, 1.5f).To(d));
            var x = LayerTesting.Random(row.Input, seed, -2f, 2f).To(d);
            var result = ValueAndGradients(() => LayerTesting.WeightedSum(layer.Forward(x)), [x, .. layer.Parameters()]);
            result.AddRange(layer.NamedBuffers().Select(b => b.Value.ToArray()));
            return result;
        }
        AssertClose(Run(Device.Cpu), Run(Devices[device]), name);
    }

    [Theory]
    [MemberData(nameof(LossRows))]
    public void Loss_value_and_gradient_match_the_cpu(string device, string name)
    {
        var row = LossesTests.Rows.Single(r => r.Name == name);
        List<float[]> Run(Device d)
        {
            var (p, t) = row.Data(5);
            var (pd, td) = (p.To(d), t.To(d));
            return [.. Enum.GetValues<Reduction>().Where(r => r != Reduction.None).SelectMany(r => ValueAndGradients(() => row.F(pd, td, r), [pd]))];
        }
        AssertClose(Run(Device.Cpu), Run(Devices[device]), name);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Optimizer_rule_steps_match_the_cpu(string device, string name)
    {
        var rule = OptimizerRuleTests.Rules[name].Rule;
        List<float[]> Run(Device d)
        {
            var p = new Parameter(LayerTesting.Random([3, 5], 41).To(d), "p");
            var opt = rule().Setup([p]);
            var target = LayerTesting.Random([3, 5], 42).To(d);
            var steps = new List<float[]>();
            for (int i = 0; i < 4; i++)
            {
                using var scope = TensorScope.Begin();
                opt.Update(Autodiff.Gradient(() => ((p - target).Square() * p).Sum(), [p]));
                steps.Add(p.ToArray());
            }
            return steps;
        }
        AssertClose(Run(Device.Cpu), Run(Devices[device]), name);
    }
}
