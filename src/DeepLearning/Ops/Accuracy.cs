using DeepLearning.Backends;

namespace DeepLearning;

// Accuracy as device work: a batch's fraction of hits stays a device scalar that Fit adds up over the epoch and reads
// once, instead of reading the predictions back every step. The host form (Metrics.Accuracy) also validates the targets;
// this one trusts them, as it runs only after the host form has seen the same shapes on the CPU.
public partial class Tensor
{
    /// <summary>
    /// The fraction of correct predictions of a batch as a one-element tensor on the scores' device: arg-max classes for
    /// scores <c>[N, C]</c> (C &gt; 1) against one-hot <c>[N, C]</c> or class indices <c>[N]</c>/<c>[N, 1]</c>; for one output
    /// per sample, the side of 0.5 against 0/1 targets.
    /// </summary>
    internal static Tensor AccuracyOnDevice(Tensor scores, Tensor targets)
    {
        int n = scores.Rank == 0 ? 1 : scores.Shape[0];
        Tensor predicted, actual;
        if (scores.Rank == 2 && scores.Shape[1] > 1)
        {
            predicted = scores.ArgMaxOnDevice(1);
            actual = targets.Rank == 2 && targets.Shape[1] > 1 ? targets.ArgMaxOnDevice(1) : targets.Reshape(n);
        }
        else
        {
            predicted = Kernels.Binary(BinaryOp.Greater, scores.Reshape(n), Full(Shape.Scalar, 0.5f, scores.Device), "Accuracy");
            actual = targets.Reshape(n);
        }
        return Kernels.Reduce(ReduceOp.Mean, Kernels.Binary(BinaryOp.Equal, predicted, actual, "Accuracy"), 0);
    }

    /// <summary><c>sum += scale·value</c> in place, for one-element tensors on one device (running totals kept on a device).</summary>
    internal static void AddScaledInPlace(Tensor sum, Tensor value, float scale)
    {
        var scaled = Kernels.Unary(UnaryOp.MulScalar, scale, value);
        sum.Backend.AddInPlace(scaled.Buffer, scaled.Offset, sum.Buffer, sum.Offset, sum.Length);
        scaled.Dispose();
    }
}
