namespace DeepLearning.Tests.Training;

[CollectionDefinition("Training.LiveBuffers", DisableParallelization = true)]
public sealed class LiveBuffersCollection;

/// <summary>Counts the CPU's live buffers, so it runs alone (other tests allocate meanwhile).</summary>
[Collection("Training.LiveBuffers")]
public class TrainerLeakTests
{
    public static TheoryData<string> Rules() => ["Adam", "Chain(ClipNorm, WeightDecay, Nesterov)", "RmsProp"];

    [Theory]
    [MemberData(nameof(Rules))]
    public void Thousands_of_steps_keep_live_buffers_flat(string name)
    {
        OptimizerRule rule = name switch
        {
            "Adam" => new Adam(0.01f),
            "RmsProp" => new RmsProp(0.01f),
            _ => new OptimizerChain(new ClipNorm(1f), new WeightDecay(1e-4f), new Nesterov(0.01f)),
        };
        var model = new TinyLinear(3, 2, seed: 1);
        var opt = rule.Setup(model);
        var (x, y0) = TinyLinear.Problem(16, seed: 2);
        var y = Tensor.Concat([y0, y0], 1);
        Tensor Loss(Tensor a, Tensor b) => TinyLinear.Mse(model.Forward(a), b);
        for (int i = 0; i < 10; i++) Trainer.TrainStep(Loss, x, y, opt);
        long before = Device.Cpu.LiveBuffers;
        for (int i = 0; i < 3000; i++) Trainer.TrainStep(Loss, x, y, opt);
        Assert.Equal(before, Device.Cpu.LiveBuffers);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Epochs_over_a_data_loader_release_every_batch(bool shuffle)
    {
        // Shuffled batches are gathered copies, unshuffled ones views: either way a batch lives as long as its step.
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Descent(0.05f).Setup(model);
        var (x, y) = TinyLinear.Problem(64, seed: 2);
        var data = new DataLoader(x, y, batchSize: 8, shuffle: shuffle, seed: 3);
        Tensor Loss(Tensor a, Tensor b) => TinyLinear.Mse(model.Forward(a), b);
        Trainer.Train(Loss, data, opt);
        model.Evaluate(TinyLinear.Mse, data);
        long before = Device.Cpu.LiveBuffers;
        for (int epoch = 0; epoch < 20; epoch++)
        {
            Trainer.Train(Loss, data, opt);
            model.Evaluate(TinyLinear.Mse, data);
        }
        Assert.Equal(before, Device.Cpu.LiveBuffers);
    }
}
