using static DeepLearning.Activations;

namespace DeepLearning.Tests.Training;

/// <summary>
/// The loop README.md shows "one level down" (foreach over a DataLoader, ValueAndGradient, Update), pasted as written
/// with no scope: it must not grow memory, and must train like Trainer.Train.
/// </summary>
[Collection("Training.LiveBuffers")]
public class HandWrittenLoopTests
{
    [Fact]
    public void The_readme_loop_keeps_live_buffers_flat_over_ten_thousand_steps()
    {
        var model = new Chain(new Dense(16, 32, Relu, seed: 1), new Dropout(0.1f, seed: 2), new Dense(32, 4, seed: 3));
        var opt = new Adam(1e-3f).Setup(model);
        var x = Tensor.RandN(new Shape(64, 16), seed: 4);
        var y = Tensor.OneHot(Enumerable.Range(0, 64).Select(i => i % 4).ToArray(), 4);
        var data = new DataLoader(x, y, batchSize: 8, shuffle: true, seed: 5);
        Tensor Loss(Tensor x, Tensor y) => Losses.LogitCrossEntropy(model.Forward(x), y);

        void Epoch()
        {
            // As README.md writes it.
            foreach (var (x, y) in data)
            {
                var (loss, grads) = Autodiff.ValueAndGradient(() => Loss(x, y), opt.Parameters);
                opt.Update(grads);
            }
        }

        Epoch();
        long before = Device.Cpu.LiveBuffers;
        for (int e = 0; e < 1250; e++) Epoch();        // 8 batches an epoch
        Assert.Equal(before, Device.Cpu.LiveBuffers);
        Assert.Equal(10_008, opt.Iterations);
    }

    [Fact]
    public void The_readme_loop_trains_exactly_as_Train_does()
    {
        static (Chain Model, Optimizer Opt, DataLoader Data) Make()
        {
            var model = new Chain(new Dense(8, 16, Relu, seed: 1), new Dense(16, 3, seed: 2));
            var x = Tensor.RandN(new Shape(48, 8), seed: 3);
            var y = Tensor.OneHot(Enumerable.Range(0, 48).Select(i => i % 3).ToArray(), 3);
            return (model, new Adam(1e-2f).Setup(model), new DataLoader(x, y, batchSize: 16, shuffle: true, seed: 4));
        }
        var (m1, o1, d1) = Make();
        var (m2, o2, d2) = Make();
        for (int e = 0; e < 3; e++)
        {
            Trainer.Train((x, y) => Losses.LogitCrossEntropy(m1.Forward(x), y), d1, o1);
            foreach (var (x, y) in d2)
            {
                var (loss, grads) = Autodiff.ValueAndGradient(() => Losses.LogitCrossEntropy(m2.Forward(x), y), o2.Parameters);
                o2.Update(grads);
            }
        }
        for (int i = 0; i < m1.Parameters().Count; i++) Assert.Equal(m1.Parameters()[i].ToArray(), m2.Parameters()[i].ToArray());
    }
}
