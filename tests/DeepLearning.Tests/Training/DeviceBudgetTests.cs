using static DeepLearning.Activations;

namespace DeepLearning.Tests.Training;

/// <summary>
/// What a training step costs a device, counted on the test device (every backend call, upload and download): on a GPU
/// each call is a kernel launch and each download a stall, so these counts are the speed. Budgets from the devices issue.
/// </summary>
public class DeviceBudgetTests
{
    private static (Chain Model, Tensor X, Tensor Y) Mlp(Device device, int batch = 128)
    {
        var model = new Chain(new Dense(784, 128, Relu, seed: 1), new Dropout(0.2f, seed: 2), new Dense(128, 10, seed: 3)).To(device);
        var x = Tensor.RandN(new Shape(batch, 784), seed: 4).To(device);
        var y = Tensor.OneHot([.. Enumerable.Range(0, batch).Select(i => i % 10)], 10).To(device);
        return (model, x, y);
    }

    [Fact]
    public void An_mlp_step_with_dropout_and_adam_makes_at_most_25_calls_and_one_download()
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var (model, x, y) = Mlp(device);
        var opt = new Adam(1e-3f).Setup(model);
        Tensor Loss(Tensor a, Tensor b) => Losses.LogitCrossEntropy(model.Forward(a), b);
        Trainer.TrainStep(Loss, x, y, opt);
        var (calls, uploads, downloads) = backend.Count(() => Trainer.TrainStep(Loss, x, y, opt));
        Assert.True(calls <= 25, $"{calls} backend calls in one step (budget 25): {string.Join(", ", backend.Trace!)}");
        Assert.Equal(1, downloads);
        Assert.Equal(0, uploads);
    }

    [Fact]
    public void Clipping_the_norm_adds_no_download()
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var (model, x, y) = Mlp(device, batch: 16);
        var opt = new OptimizerChain(new ClipNorm(1f), new Adam(1e-3f)).Setup(model);
        Tensor Loss(Tensor a, Tensor b) => Losses.LogitCrossEntropy(model.Forward(a), b);
        Trainer.TrainStep(Loss, x, y, opt);
        var (_, _, downloads) = backend.Count(() => Trainer.TrainStep(Loss, x, y, opt));
        Assert.Equal(1, downloads);
    }

    [Fact]
    public void Clipping_on_the_device_equals_clipping_on_the_cpu()
    {
        var (device, _) = TestBackend.Create();
        float[] Run(Device d)
        {
            using var scope = TensorScope.Begin();
            var (model, x, y) = Mlp(d, batch: 16);
            var opt = new OptimizerChain(new ClipNorm(0.5f), new Descent(0.1f)).Setup(model);
            for (int i = 0; i < 3; i++) Trainer.TrainStep((a, b) => Losses.LogitCrossEntropy(model.Forward(a), b), x, y, opt);
            return model.Parameters()[0].ToArray();
        }
        var cpu = Run(Device.Cpu);
        var test = Run(device);
        for (int i = 0; i < cpu.Length; i++) Assert.Equal(cpu[i], test[i], 1e-6f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_shuffled_batch_for_the_device_is_one_upload_from_host_data_or_a_gather_on_the_device(bool onHost)
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var x = Tensor.RandN(new Shape(100, 12), seed: 5);
        var y = Tensor.OneHot([.. Enumerable.Range(0, 100).Select(i => i % 3)], 3);
        if (!onHost)
        {
            x = x.To(device);
            y = y.To(device);
        }
        var data = new DataLoader(x, y, batchSize: 16, shuffle: true, seed: 6, device: device);
        var expected = new DataLoader(x.To(Device.Cpu), y.To(Device.Cpu), batchSize: 16, shuffle: true, seed: 6).Select(b => (b.X.ToArray(), b.Y.ToArray())).ToList();
        int batch = 0;
        using var e = data.GetEnumerator();
        while (true)
        {
            var (calls, uploads, downloads) = backend.Count(() => Assert.True(e.MoveNext() || batch == data.Count));
            if (batch == data.Count) break;
            var (bx, by) = e.Current;
            Assert.Equal(device, bx.Device);
            Assert.Equal(device, by.Device);
            Assert.Equal(onHost ? 1 : 0, uploads);
            Assert.True(calls <= 2, $"batch {batch}: {calls} backend calls (budget 2)");
            Assert.Equal(0, downloads);
            Assert.Equal(expected[batch].Item1, bx.ToArray());
            Assert.Equal(expected[batch].Item2, by.ToArray());
            batch++;
        }
    }

    [Fact]
    public void A_batch_norm_layer_forward_and_backward_make_at_most_8_calls()
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var bn = new BatchNorm(16).To(device);
        var x = Tensor.RandN(new Shape(32, 16), seed: 7).To(device);
        var (calls, _, downloads) = backend.Count(() => Autodiff.ValueAndGradient(() => bn.Forward(x).Sum(), bn.Parameters()));
        // Forward 2 kernels, backward 1, plus the loss's sum and the seed gradient of ones.
        Assert.True(calls <= 8 + 3, $"{calls} calls for BatchNorm forward + backward with the sum around it");
        Assert.Equal(0, downloads);
    }

    [Fact]
    public void Fit_with_accuracy_reads_at_most_once_per_step()
    {
        var (device, backend) = TestBackend.Create();
        using var scope = TensorScope.Begin();
        var (model, x, y) = Mlp(device, batch: 64);
        var opt = new Adam(1e-3f).Setup(model);
        var data = new DataLoader(x, y, batchSize: 16, shuffle: true, seed: 8);
        var options = new FitOptions { Epochs = 2, Metrics = [Metric.Accuracy] };
        model.Fit(Losses.LogitCrossEntropy, data, opt, options);
        var (_, _, downloads) = backend.Count(() => model.Fit(Losses.LogitCrossEntropy, data, opt, options));
        // Per step the loss; per epoch one read of the accuracy total.
        Assert.True(downloads <= 2 * data.Count + 2, $"{downloads} downloads in {2 * data.Count} steps");
    }

    [Fact]
    public void Fit_accuracy_on_the_device_equals_the_cpu_accuracy()
    {
        var (device, _) = TestBackend.Create();
        double Run(Device d)
        {
            using var scope = TensorScope.Begin();
            var (model, x, y) = Mlp(d, batch: 64);
            var opt = new Adam(1e-3f).Setup(model);
            var history = model.Fit(Losses.LogitCrossEntropy, new DataLoader(x, y, 16), opt, new FitOptions { Metrics = [Metric.Accuracy] });
            return history["accuracy"][0];
        }
        Assert.Equal(Run(Device.Cpu), Run(device), 6);
    }
}
