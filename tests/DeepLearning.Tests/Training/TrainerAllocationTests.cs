using static DeepLearning.Activations;

namespace DeepLearning.Tests.Training;

/// <summary>
/// A steady-state training step takes every buffer from the pool (no array is allocated) and allocates on the heap
/// only its small tensor objects: a budget of bytes per step far below one buffer of the large model. Counted on the
/// test's own thread and alone, so other tests draining the shared pool meanwhile cannot make this thread allocate.
/// </summary>
[Collection("Training.LiveBuffers")]
public class TrainerAllocationTests
{
    // The tensor objects, scopes and tape bookkeeping of one step of these models (≈ 100 bytes per tensor object);
    // the smallest buffer of the 784-512-256-10 model alone (the logits of 128 × 10 floats) is 5 KB.
    private const long BytesPerStep = 4096;

    public static TheoryData<string, int> Models() => new()
    {
        { "SGD", 4 },          // 16-16-10 at batch 4: every kernel runs on the calling thread
        { "Adam", 4 },
        { "SGD", 128 },        // 784-512-256-10 at batch 128: the GEMMs and long maps split across cores
        { "Adam", 128 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_steady_state_step_allocates_no_buffer_and_little_else(string rule, int batch)
    {
        var (loss, x, y, opt) = Mlp(rule, batch);
        AssertSteady($"{rule} batch {batch}", 20, () =>
        {
            for (int i = 0; i < 20; i++) Trainer.TrainStep(loss, x, y, opt);
        });
    }

    [Fact]
    public void A_steady_state_step_with_batch_norm_and_dropout_allocates_no_buffer_and_little_else()
    {
        var model = new Chain(new Dense(16, 32, seed: 1), new BatchNorm(32), Relu, new Dropout(0.3f, seed: 2), new Dense(32, 10, seed: 3));
        var opt = new Adam(1e-3f).Setup(model);
        var x = Tensor.RandN(new Shape(8, 16), seed: 4);
        var y = Tensor.OneHot([1, 3, 5, 7, 9, 0, 2, 4], 10);
        Func<Tensor, Tensor, Tensor> loss = (a, b) => Losses.LogitCrossEntropy(model.Forward(a), b);
        // Batch norm is composed from about twenty ops (their tensor objects are the bytes).
        AssertSteady("BatchNorm + Dropout", 20, () =>
        {
            for (int i = 0; i < 20; i++) Trainer.TrainStep(loss, x, y, opt);
        }, extra: 20 * 4096);
    }

    [Theory]
    [InlineData(8)]      // small: convolutions and pooling on the calling thread
    [InlineData(128)]    // samples/MnistCnn's network at its benchmark batch: images split across cores
    public void A_steady_state_convolutional_step_allocates_no_buffer_and_little_else(int batch)
    {
        var model = new Chain(new Conv2D(1, 32, 3, Relu, seed: 1), new MaxPool2D(2), new Conv2D(32, 64, 3, Relu, seed: 2), new MaxPool2D(2),
            new Flatten(), new Dense(1600, 10, seed: 3));
        var opt = new Descent(0.01f).Setup(model);
        var x = Tensor.Uniform(new Shape(batch, 1, 28, 28), 0f, 1f, seed: 4);
        var classes = new int[batch];
        for (int i = 0; i < batch; i++) classes[i] = (i * 3) % 10;
        var y = Tensor.OneHot(classes, 10);
        Func<Tensor, Tensor, Tensor> loss = (a, b) => Losses.LogitCrossEntropy(model.Forward(a), b);
        AssertSteady($"CNN batch {batch}, 5 steps", 5, () =>
        {
            for (int i = 0; i < 5; i++) Trainer.TrainStep(loss, x, y, opt);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_epoch_over_a_data_loader_allocates_no_buffer_and_little_per_batch(bool shuffle)
    {
        var (loss, x, y, opt) = Mlp("Adam", 640);
        var data = new DataLoader(x, y, batchSize: 16, shuffle: shuffle, seed: 3);
        // Per epoch also the enumerators, a clock and (shuffled) the permutation of the 640 samples.
        AssertSteady($"an epoch of {data.Count} batches (shuffle {shuffle})", data.Count, () => Trainer.Train(loss, data, opt),
            extra: 512 + (shuffle ? sizeof(int) * 640 + 64 : 0));
    }

    private static void AssertSteady(string what, int steps, Action run, long extra = 0) =>
        Allocations.AssertSteady(what, steps, BytesPerStep, run, extra: extra);

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
