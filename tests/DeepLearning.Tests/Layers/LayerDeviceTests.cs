using static DeepLearning.Activations;

namespace DeepLearning.Tests.Layers;

/// <summary>Placing models on devices: moves in place, optimizers follow or refuse, errors name both devices.</summary>
public class LayerDeviceTests
{
    private static Chain Model() => new(new Dense(4, 8, Relu, seed: 1), new BatchNorm(8), new Dense(8, 3, seed: 2));

    [Fact]
    public void To_moves_every_parameter_and_buffer_in_place()
    {
        var (device, _) = TestBackend.Create();
        var model = Model();
        var parameters = model.Parameters();
        var values = parameters.Select(p => p.ToArray()).ToList();
        var buffers = model.NamedBuffers().Select(b => b.Value).ToList();
        Assert.Same(model, model.To(device));
        Assert.Equal(device, model.Device);
        for (int i = 0; i < parameters.Count; i++)
        {
            Assert.Same(parameters[i], model.Parameters()[i]);
            Assert.Equal(device, parameters[i].Device);
            Assert.Equal(values[i], parameters[i].ToArray());
        }
        Assert.All(buffers, b => Assert.Equal(device, b.Device));
        model.To(Device.Cpu);
        Assert.Equal(Device.Cpu, model.Device);
    }

    [Fact]
    public void Training_on_the_test_device_matches_the_cpu_bit_for_bit()
    {
        var (device, _) = TestBackend.Create();
        float[][] Run(Device d)
        {
            using var scope = TensorScope.Begin();
            var model = Model().To(d);
            var opt = new Adam(1e-2f).Setup(model);
            var x = Tensor.RandN(new Shape(40, 4), seed: 3);
            var y = Tensor.OneHot([.. Enumerable.Range(0, 40).Select(i => i % 3)], 3);
            var data = new DataLoader(x, y, batchSize: 8, shuffle: true, seed: 4, device: d);
            for (int e = 0; e < 3; e++) Trainer.Train((a, b) => Losses.LogitCrossEntropy(model.Forward(a), b), data, opt);
            return [.. model.Parameters().Select(p => p.ToArray()), .. model.NamedBuffers().Select(b => b.Value.ToArray())];
        }
        var cpu = Run(Device.Cpu);
        var test = Run(device);
        for (int i = 0; i < cpu.Length; i++) Assert.Equal(cpu[i], test[i]);
    }

    [Fact]
    public void An_optimizer_left_behind_by_a_move_is_refused_naming_both_devices_and_follows_with_To()
    {
        var (device, _) = TestBackend.Create();
        var model = Model();
        var opt = new Adam(1e-3f).Setup(model);
        model.To(device);
        using var scope = TensorScope.Begin();
        var x = Tensor.RandN(new Shape(8, 4), seed: 5).To(device);
        var y = Tensor.OneHot([0, 1, 2, 0, 1, 2, 0, 1], 3).To(device);
        Tensor Loss(Tensor a, Tensor b) => Losses.LogitCrossEntropy(model.Forward(a), b);
        var e = Assert.Throws<InvalidOperationException>(() => Trainer.TrainStep(Loss, x, y, opt));
        Assert.Contains("is on test but its optimizer state is on cpu", e.Message, StringComparison.Ordinal);
        Assert.Same(opt, opt.To(device));
        Assert.True(float.IsFinite(Trainer.TrainStep(Loss, x, y, opt)));
    }

    [Fact]
    public void Mixed_devices_throw_naming_the_op_and_both_devices()
    {
        var (device, _) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var a = Tensor.Ones(new Shape(2, 3));
        var b = Tensor.Ones(new Shape(2, 3), device);
        var e = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("Add", e.Message, StringComparison.Ordinal);
        Assert.Contains("cpu and test", e.Message, StringComparison.Ordinal);
        var dense = new Dense(3, 2, seed: 1).To(device);
        var f = Assert.Throws<ArgumentException>(() => dense.Forward(a));
        Assert.Contains("cpu and test", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_and_Predict_run_on_the_models_device()
    {
        var (device, backend) = TestBackend.Create();
        var model = Model().To(device);
        long before = backend.Calls;
        Assert.Contains("[5,3]", model.Summary(5, 4), StringComparison.Ordinal);
        Assert.True(backend.Calls > before);
        using var scope = TensorScope.Begin();
        var x = Tensor.RandN(new Shape(10, 4), seed: 6);
        var predicted = model.Predict(x, batchSize: 4);
        Assert.Equal(device, predicted.Device);
        var cpu = Model();
        Assert.Equal(cpu.Predict(x, batchSize: 4).ToArray(), predicted.ToArray());
    }

    [Fact]
    public void Dispose_releases_the_device_memory_of_a_model_and_its_optimizer()
    {
        var (device, backend) = TestBackend.Create();
        var model = Model().To(device);
        var opt = new Adam().Setup(model).To(device);
        Assert.True(backend.LiveBuffers > 0);
        opt.Dispose();
        model.Dispose();
        Assert.Equal(0, backend.LiveBuffers);
    }

    [Fact]
    public void Tensor_To_copies_across_devices_and_back()
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var x = Tensor.RandN(new Shape(3, 5), seed: 7);
        var (_, uploads, downloads) = backend.Count(() => Assert.Equal(x.ToArray(), x.To(device).To(Device.Cpu).ToArray()));
        Assert.Equal(1, uploads);
        Assert.Equal(1, downloads);
        Assert.Same(x, x.To(Device.Cpu));
    }
}
