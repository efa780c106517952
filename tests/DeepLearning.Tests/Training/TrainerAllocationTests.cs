using static DeepLearning.Activations;

namespace DeepLearning.Tests.Training;

/// <summary>
/// A steady-state training step allocates nothing: its buffers, buffer wrappers, tensor objects, shapes, tape,
/// gradients and parallel jobs are all reused. Counted on the test's own thread, so other tests running meanwhile do
/// not disturb the count, and alone: other tests draining the shared buffer pool meanwhile would make this thread's
/// step allocate the buffers they took.
/// </summary>
[Collection("Training.LiveBuffers")]
public class TrainerAllocationTests
{
    public static TheoryData<string, int> Models() => new()
    {
        { "SGD", 4 },          // 16-16-10 at batch 4: every kernel runs on the calling thread
        { "Adam", 4 },
        { "SGD", 128 },        // 784-512-256-10 at batch 128: the GEMMs and long maps split across cores
        { "Adam", 128 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_steady_state_step_allocates_nothing(string rule, int batch)
    {
        var (loss, x, y, opt) = Mlp(rule, batch);
        long bytes = LeastAllocated(() =>
        {
            for (int i = 0; i < 20; i++) Trainer.TrainStep(loss, x, y, opt);
        });
        Assert.True(bytes == 0, $"{rule} batch {batch}: {bytes} bytes allocated in 20 steps");
    }

    [Fact]
    public void A_steady_state_step_with_batch_norm_and_dropout_allocates_nothing()
    {
        var model = new Chain(new Dense(16, 32, seed: 1), new BatchNorm(32), Relu, new Dropout(0.3f, seed: 2), new Dense(32, 10, seed: 3));
        var opt = new Adam(1e-3f).Setup(model);
        var x = Tensor.RandN(new Shape(8, 16), seed: 4);
        var y = Tensor.OneHot([1, 3, 5, 7, 9, 0, 2, 4], 10);
        Func<Tensor, Tensor, Tensor> loss = (a, b) => Losses.LogitCrossEntropy(model.Forward(a), b);
        long bytes = LeastAllocated(() =>
        {
            for (int i = 0; i < 20; i++) Trainer.TrainStep(loss, x, y, opt);
        });
        Assert.True(bytes == 0, $"{bytes} bytes allocated in 20 steps");
    }

    [Theory]
    [InlineData(8)]      // small: convolutions and pooling on the calling thread
    [InlineData(128)]    // samples/MnistCnn's network at its benchmark batch: images split across cores
    public void A_steady_state_convolutional_step_allocates_nothing(int batch)
    {
        var model = new Chain(new Conv2D(1, 32, 3, Relu, seed: 1), new MaxPool2D(2), new Conv2D(32, 64, 3, Relu, seed: 2), new MaxPool2D(2),
            new Flatten(), new Dense(1600, 10, seed: 3));
        var opt = new Descent(0.01f).Setup(model);
        var x = Tensor.Uniform(new Shape(batch, 1, 28, 28), 0f, 1f, seed: 4);
        var classes = new int[batch];
        for (int i = 0; i < batch; i++) classes[i] = (i * 3) % 10;
        var y = Tensor.OneHot(classes, 10);
        Func<Tensor, Tensor, Tensor> loss = (a, b) => Losses.LogitCrossEntropy(model.Forward(a), b);
        long bytes = LeastAllocated(() =>
        {
            for (int i = 0; i < 5; i++) Trainer.TrainStep(loss, x, y, opt);
        });
        Assert.True(bytes == 0, $"batch {batch}: {bytes} bytes allocated in 5 steps");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_epoch_over_a_data_loader_allocates_nothing_per_batch(bool shuffle)
    {
        var (loss, x, y, opt) = Mlp("Adam", 640);
        var data = new DataLoader(x, y, batchSize: 16, shuffle: shuffle, seed: 3);
        long bytes = LeastAllocated(() => Trainer.Train(loss, data, opt));
        // Per epoch: the enumerators, a clock and (shuffled) the permutation of the 640 samples; per batch: nothing.
        long perEpoch = 512 + (shuffle ? sizeof(int) * 640 + 64 : 0);
        Assert.True(bytes <= perEpoch, $"an epoch of {data.Count} batches allocated {bytes} bytes (bound {perEpoch})");
    }

    /// <summary>The fewest bytes <paramref name="run"/> allocated on this thread in a few runs after one to warm up.</summary>
    private static long LeastAllocated(Action run) => Allocations.Least(run, warmUp: 1, tries: 5, allThreads: false);

    private static (Func<Tensor, Tensor, Tensor> Loss, Tensor X, Tensor Y, Optimizer Opt) Mlp(string rule, int batch)
    {
        bool small = batch < 16;
        int inputs = small ? 16 : 784;
        var model = small
            ? new Chain(new Dense(16, 16, Relu, seed: 1), new Dense(16, 16, Relu, seed: 2), new Dense(16, 10, seed: 3))
            : new Chain(new Dense(784, 512, Relu, seed: 1), new Dense(512, 256, Relu, seed: 2), new Dense(256, 10, seed: 3));
        var opt = rule == "Adam" ? new Adam(1e-3f).Setup(model) : new Descent(0.01f).Setup(model);
        var x = Tensor.RandN(new Shape(batch, inputs), seed: 4);
        var classes = new int[batch];
        for (int i = 0; i < batch; i++) classes[i] = (i * 7) % 10;
        var y = Tensor.OneHot(classes, 10);
        return ((a, b) => Losses.LogitCrossEntropy(model.Forward(a), b), x, y, opt);
    }
}
