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
}
