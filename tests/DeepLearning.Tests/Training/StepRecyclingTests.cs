namespace DeepLearning.Tests.Training;

/// <summary>
/// A training step's tensor objects are reused by later steps (that is how a step allocates nothing): a tensor held past
/// its step reads as released until reused, a kept one is never reused, and a reused one starts clean.
/// </summary>
public class StepRecyclingTests
{
    [Fact]
    public void A_tensor_held_past_its_step_reads_as_released()
    {
        var model = new TinyLinear(3, 1, seed: 1);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 2);
        Tensor? held = null;
        Trainer.TrainStep((a, b) => TinyLinear.Mse(held = model.Forward(a), b), x, y, opt);
        Assert.True(held!.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => held.ToArray());
    }

    [Fact]
    public void A_tensor_kept_in_the_loss_outlives_the_step_and_is_never_reused()
    {
        var model = new TinyLinear(3, 1, seed: 3);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 4);
        using var outer = TensorScope.Begin();
        Tensor? kept = null;
        Trainer.TrainStep((a, b) =>
        {
            var yhat = model.Forward(a);
            kept = TensorScope.Current!.Keep(yhat * 1f);
            return TinyLinear.Mse(yhat, b);
        }, x, y, opt);
        var snapshot = kept!.ToArray();
        var later = new List<Tensor>();
        for (int i = 0; i < 5; i++)
            Trainer.TrainStep((a, b) =>
            {
                var yhat = model.Forward(a);
                later.Add(yhat);
                return TinyLinear.Mse(yhat, b);
            }, x, y, opt);
        Assert.False(kept.IsDisposed);
        Assert.Equal(snapshot, kept.ToArray());
        Assert.DoesNotContain(later, t => ReferenceEquals(t, kept));
    }

    [Fact]
    public void A_reused_tensor_starts_clean()
    {
        var model = new TinyLinear(3, 1, seed: 5);
        var opt = new Descent(0.1f).Setup(model);
        var (x, y) = TinyLinear.Problem(8, seed: 6);
        var made = new List<Tensor>();
        Tensor Loss(Tensor a, Tensor b)
        {
            var yhat = model.Forward(a);
            Assert.Null(yhat.Name);
            Assert.False(yhat.IsDisposed);
            made.Add(yhat);
            yhat.Name = "prediction";
            yhat.Dispose();     // released early by hand: the step's end must not release it twice
            return TinyLinear.Mse(model.Forward(a), b);
        }
        for (int i = 0; i < 20; i++) Trainer.TrainStep(Loss, x, y, opt);
        // Objects came back in later steps: the checks above ran on reused tensors.
        Assert.True(made.Distinct(ReferenceEqualityComparer.Instance).Count() < made.Count);
        using (TensorScope.Begin()) Assert.Equal(TinyLinear.Mse(model.Forward(x), y).Item(), Trainer.TrainStep(Loss, x, y, opt));
    }

    [Fact]
    public void Keep_in_a_Train_loss_holds_the_tensor_until_its_batch_ends_and_never_turns_into_a_later_tensor()
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
            {
                if (ReferenceEquals(t, a) || ReferenceEquals(t, b)) problems.Add($"batch {kept.Count}: a kept tensor is this batch's data");
                if (!t.IsDisposed) problems.Add($"batch {kept.Count}: a tensor kept in an earlier batch is live again");
            }
            var yhat = model.Forward(a);
            kept.Add(TensorScope.Current!.Keep(yhat * 1f));
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
    public void Training_on_several_threads_at_once_matches_training_one_after_another()
    {
        static float[] Run(int seed)
        {
            var model = new Chain(new Dense(32, 64, seed: (ulong)seed), Activations.Relu, new BatchNorm(64), new Dropout(0.2f, seed: 9), new Dense(64, 10, seed: (ulong)seed + 1));
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
}
