using static DeepLearning.Activations;

namespace DeepLearning.Tests.Training;

/// <summary>
/// A training step releases its temporaries, and a tensor object user code can hold never silently becomes another
/// value: read after its step it throws, naming what released it. One optimizer is never trained by two threads at once,
/// and an optimizer of another model is refused instead of training nothing.
/// </summary>
public class TrainStepScopeTests
{
    [Fact]
    public void Tensors_held_past_their_steps_throw_and_are_never_another_steps_tensors()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        var held = new List<Tensor>();
        for (int i = 0; i < 4; i++)
            Trainer.TrainStep((a, b) =>
            {
                // Every earlier step's tensors read as released while this step runs: none came back as this step's.
                Assert.All(held, t => Assert.True(t.IsDisposed));
                var yhat = model.Forward(a);
                held.Add(yhat);
                return TinyLinear.Mse(yhat, b);
            }, x, y, opt);
        Assert.Equal(4, held.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.All(held, t => Assert.True(t.IsDisposed));
        var e = Assert.Throws<ObjectDisposedException>(() => held[0].ToArray());
        Assert.Contains("training step", e.Message, StringComparison.Ordinal);
        Assert.Contains("Keep", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_kept_in_the_loss_outlives_the_step_unchanged()
    {
        var model = new TinyLinear(3, 1, seed: 3);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 4);
        using var outer = TensorScope.Begin();
        Tensor? kept = null, cloned = null;
        Trainer.TrainStep((a, b) =>
        {
            var yhat = model.Forward(a);
            kept = TensorScope.Current!.Keep(yhat * 1f);
            return TinyLinear.Mse(yhat, b);
        }, x, y, opt);
        var snapshot = kept!.ToArray();
        for (int i = 0; i < 5; i++)
            Trainer.TrainStep((a, b) =>
            {
                var yhat = model.Forward(a);
                return TinyLinear.Mse(yhat, b);
            }, x, y, opt);
        cloned = kept.Clone();
        Assert.False(kept.IsDisposed);
        Assert.Equal(snapshot, kept.ToArray());
        Assert.Equal(snapshot, cloned.ToArray());
    }

    [Fact]
    public void Keep_in_a_Train_loss_holds_the_tensor_until_its_batch_ends()
    {
        var model = new TinyLinear(3, 1, seed: 7);
        var opt = new Descent(0.01f).Setup(model);
        var (x, y) = TinyLinear.Problem(12, seed: 8);
        var data = new DataLoader(x, y, batchSize: 4);
        var kept = new List<Tensor>();
        var problems = new List<string>();
        Trainer.Train((a, b) =>
        {
            foreach (var t in kept)
                if (!t.IsDisposed) problems.Add($"batch {kept.Count}: a tensor kept in an earlier batch is still live");
            var yhat = model.Forward(a);
            kept.Add(TensorScope.Current!.Keep(yhat * 1f));
            Assert.False(kept[^1].IsDisposed);
            return TinyLinear.Mse(yhat, b);
        }, data, opt);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.All(kept, t => Assert.Throws<ObjectDisposedException>(() => t.ToArray()));
    }

    [Fact]
    public void Exceptions_inside_steps_leave_scopes_tape_and_later_steps_sound()
    {
        var model = new TinyLinear(3, 1, seed: 9);
        var opt = new OptimizerChain(new ClipNorm(1f), new Descent(0.01f)).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 10);
        int calls = 0;
        Tensor Loss(Tensor a, Tensor b)
        {
            var yhat = model.Forward(a);
            return (++calls % 3) switch
            {
                1 => TinyLinear.Mse(yhat, b) * float.NaN,
                2 => TinyLinear.Mse(yhat, Tensor.Zeros(new Shape(3, 2))),
                _ => TinyLinear.Mse(yhat, b),
            };
        }
        for (int i = 0; i < 30; i++)
        {
            try { Trainer.TrainStep(Loss, x, y, opt); }
            catch (ArithmeticException) { }
            catch (ArgumentException) { }
            Assert.Null(TensorScope.Current);
            Assert.False(Autodiff.IsRecording);
        }
        using (TensorScope.Begin())
        {
            float before = TinyLinear.Mse(model.Forward(x), y).Item();
            Assert.Equal(before, Trainer.TrainStep((a, b) => TinyLinear.Mse(model.Forward(a), b), x, y, opt));
        }
    }

    [Fact]
    public void Training_separate_models_on_several_threads_matches_training_one_after_another()
    {
        static float[] Run(int seed)
        {
            var model = new Chain(new Dense(32, 64, seed: (ulong)seed), Relu, new BatchNorm(64), new Dropout(0.2f, seed: 9), new Dense(64, 10, seed: (ulong)seed + 1));
            var opt = new Adam(1e-3f).Setup(model);
            var x = Tensor.RandN(new Shape(256, 32), (ulong)seed + 2);
            var y = Tensor.OneHot(Enumerable.Range(0, 256).Select(i => i % 10).ToArray(), 10);
            var data = new DataLoader(x, y, batchSize: 32, shuffle: true, seed: 3);
            for (int e = 0; e < 3; e++) Trainer.Train((a, b) => Losses.LogitCrossEntropy(model.Forward(a), b), data, opt);
            return model.Parameters()[0].ToArray();
        }
        var sequential = Enumerable.Range(0, 4).Select(Run).ToArray();
        var concurrent = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = Run(i));
        for (int i = 0; i < 4; i++) Assert.Equal(sequential[i], concurrent[i]);
    }

    public static TheoryData<string> SecondThreadCalls() => ["TrainStep", "Update", "ValueAndGradient"];

    [Theory]
    [MemberData(nameof(SecondThreadCalls))]
    public void A_second_thread_training_the_same_model_is_refused_naming_the_cause(string call)
    {
        var model = new TinyLinear(3, 1, seed: 11);
        var opt = new Descent(0.01f).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 12);
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        // The first thread stops inside its step (parameters tracked, optimizer held) until the second has tried.
        float firstLoss = float.NaN;
        var first = new Thread(() => firstLoss = Trainer.TrainStep((a, b) =>
        {
            var loss = TinyLinear.Mse(model.Forward(a), b);
            inside.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return loss;
        }, x, y, opt));
        first.Start();
        Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));
        Exception? error;
        try
        {
            error = Record.Exception(() =>
            {
                using var scope = TensorScope.Begin();
                Tensor Loss() => TinyLinear.Mse(model.Forward(x), y);
                switch (call)
                {
                    case "TrainStep": Trainer.TrainStep((a, b) => TinyLinear.Mse(model.Forward(a), b), x, y, opt); break;
                    case "Update": opt.Update(Autodiff.Gradient(Loss, opt.Parameters)); break;
                    default: Autodiff.ValueAndGradient(Loss, opt.Parameters); break;
                }
            });
        }
        finally
        {
            release.Set();
        }
        first.Join();
        var refused = Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("another thread", refused.Message, StringComparison.Ordinal);
        Assert.True(float.IsFinite(firstLoss));
        // Once the first thread is done, this one trains normally.
        Trainer.TrainStep((a, b) => TinyLinear.Mse(model.Forward(a), b), x, y, opt);
    }

    [Fact]
    public void An_optimizer_of_another_model_is_refused_instead_of_training_nothing()
    {
        var model = new TinyLinear(3, 1, seed: 13);
        var other = new TinyLinear(3, 1, seed: 14);
        var opt = new Adam(0.01f).Setup(other);
        var (x, y) = TinyLinear.Problem(8, seed: 15);
        Tensor Loss(Tensor a, Tensor b) => TinyLinear.Mse(model.Forward(a), b);
        var before = other.Weight.ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => Trainer.TrainStep(Loss, x, y, opt));
        Assert.Contains("none of the 2 parameters", e.Message, StringComparison.Ordinal);
        Assert.Contains("'weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Adam", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => Trainer.Train(Loss, new DataLoader(x, y, 4), opt));
        using (TensorScope.Begin())
            Assert.Throws<InvalidOperationException>(() => opt.Update(Autodiff.Gradient(() => Loss(x, y), opt.Parameters)));
        Assert.Equal(before, other.Weight.ToArray());
        Assert.Equal(0, opt.Iterations);
    }

    [Fact]
    public void A_parameter_without_a_gradient_is_allowed_while_others_have_one()
    {
        // Frozen layers, as in PyTorch: the second layer is not used by this loss, the first is.
        var first = new TinyLinear(3, 1, seed: 16);
        var unused = new TinyLinear(3, 1, seed: 17);
        var model = new Chain(first, unused);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 18);
        var frozen = unused.Weight.ToArray();
        var moving = first.Weight.ToArray();
        Trainer.TrainStep((a, b) => TinyLinear.Mse(first.Forward(a), b), x, y, opt);
        Assert.Equal(frozen, unused.Weight.ToArray());
        Assert.NotEqual(moving, first.Weight.ToArray());
    }
}
