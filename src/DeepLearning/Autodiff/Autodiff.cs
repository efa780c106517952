using System.Buffers;

namespace DeepLearning;

/// <summary>
/// Reverse-mode automatic differentiation. Ops called inside <see cref="Gradient"/> record themselves on a tape when
/// one of their inputs depends on a source; the tape is then walked backwards, each op's rule turning the gradient
/// of its output into those of its inputs. Gradients add up where a value is used more than once.
/// </summary>
/// <remarks>
/// One gradient call at a time per set of sources: the tape marks its sources on the tensors themselves, so two
/// threads differentiating w.r.t. the same parameters at once would disturb each other (different threads with
/// different tensors are fine). A call made inside another treats its results as constants of the outer one.
/// Gradients of gradients (higher order) are not supported.
/// </remarks>
/// <example>
/// <code>
/// var (loss, grads) = Autodiff.ValueAndGradient(() => (x.MatMul(w) - y).Square().Mean(), [w]);
/// var dw = grads[w];
/// </code>
/// </example>
public static class Autodiff
{
    /// <summary>Whether ops on this thread are being recorded for a gradient now (Flux's training mode default).</summary>
    public static bool IsRecording => Tape.Active;

    /// <summary>The gradient of the scalar <paramref name="function"/> w.r.t. each of <paramref name="sources"/>.</summary>
    /// <inheritdoc cref="ValueAndGradient" path="/param"/>
    /// <inheritdoc cref="ValueAndGradient" path="/exception"/>
    public static Gradients Gradient(Func<Tensor> function, IEnumerable<Tensor> sources) => ValueAndGradient(function, sources).Gradients;

    /// <summary>
    /// Evaluates the scalar <paramref name="function"/> and its gradient w.r.t. each of <paramref name="sources"/>
    /// (parameters, or any tensors). A source the function does not depend on gets a gradient of zeros.
    /// </summary>
    /// <param name="function">Computes a one-element tensor (a loss) from the sources.</param>
    /// <param name="sources">The tensors to differentiate with respect to.</param>
    /// <returns>
    /// The value and the gradients, each of its source's shape, in the current scope; the temporaries of the backward
    /// pass are released before the call returns.
    /// </returns>
    /// <exception cref="InvalidOperationException">The function's result has more than one element, or a source is being
    /// differentiated on another thread at the same time.</exception>
    public static (Tensor Value, Gradients Gradients) ValueAndGradient(Func<Tensor> function, IEnumerable<Tensor> sources)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(sources);
        var list = sources as IReadOnlyList<Tensor> ?? [.. sources];
        var grads = new Gradients(list.Count);
        var value = ValueAndGradient(static f => f(), function, list, grads);
        return (value, grads);
    }

    /// <summary>
    /// <see cref="ValueAndGradient(Func{Tensor}, IEnumerable{Tensor})"/> of <c>function(state)</c>, filling
    /// <paramref name="grads"/> (cleared first): the form a training step calls. The temporaries of the backward pass
    /// are released before it returns; the value and the gradients belong to the caller's scope.
    /// </summary>
    /// <exception cref="InvalidOperationException">A source is being differentiated on another thread at the same time.</exception>
    internal static Tensor ValueAndGradient<TState>(Func<TState, Tensor> function, TState state, IReadOnlyList<Tensor> sources, Gradients grads)
    {
        grads.Clear();
        // A source may be tracked by an enclosing gradient call: give it back its tracking afterwards.
        int count = sources.Count;
        var saved = ArrayPool<(int TapeId, Tensor? Grad)>.Shared.Rent(count);
        for (int i = 0; i < count; i++) saved[i] = (sources[i].TapeId, sources[i].Grad);
        var tape = Tape.Push();
        TensorScope? backward = null;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var s = sources[i];
                // Tapes mark sources on the tensors themselves: a mark from a tape that is not one of this thread's
                // means another thread is differentiating w.r.t. the same tensor right now, and the two would corrupt
                // each other's gradients.
                if (s.TapeId != 0 && !tape.IsOnThisThread(s.TapeId))
                    throw new InvalidOperationException(
                        $"Gradient: {s.Describe()} is being differentiated on another thread at the same time; one model (and one optimizer) cannot be trained by two threads at once: give each thread its own");
                tape.Track(s);
            }
            var value = function(state) ?? throw new InvalidOperationException("Gradient: the function returned null");
            if (value.Length != 1)
                throw new InvalidOperationException($"Gradient: the function must return a scalar (one element), got {value.Describe()}; reduce it first, e.g. with Sum() or Mean()");
            tape.Paused++;
            // Everything the rules make is a temporary of this call except the sources' gradients, kept below.
            backward = TensorScope.Begin("at the end of the gradient call that made it");
            if (tape.Tracks(value))
            {
                value.Grad = Tensor.Ones(value.Shape, value.Device);
                for (int i = tape.Count - 1; i >= 0; i--)
                {
                    var node = tape[i];
                    if (node.Output.Grad is { } g) node.Rule(node, g);
                }
            }
            for (int i = 0; i < count; i++)
            {
                var s = sources[i];
                if (grads.Contains(s)) continue;
                if (s.Grad is { } g)
                {
                    grads.Add(s, backward.Keep(g));
                    grads.Connected++;
                }
                else grads.Add(s, null);
            }
            backward.Dispose();
            backward = null;
            // Zeros for the sources the value does not depend on, made in the caller's scope.
            grads.FillMissing();
            return value;
        }
        finally
        {
            backward?.Dispose();
            tape.Reset();
            // In reverse, so a source listed twice ends with what it had before the call.
            for (int i = count - 1; i >= 0; i--) (sources[i].TapeId, sources[i].Grad) = saved[i];
            ArrayPool<(int, Tensor?)>.Shared.Return(saved, clearArray: true);
            tape.Pop();
        }
    }

    /// <summary>
    /// Stops recording on this thread until disposed: ops inside compute values only (like PyTorch's
    /// <c>torch.no_grad()</c>). Use it for evaluation inside a gradient call, or to update parameters.
    /// </summary>
    public static NoGradScope NoGrad() => new(Tape.Current);
}

/// <summary>The scope returned by <see cref="Autodiff.NoGrad"/>; recording resumes when it is disposed.</summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly object? _tape;
    private readonly int _id;

    internal NoGradScope(object? tape)
    {
        _tape = tape;
        if (tape is Tape t)
        {
            _id = t.Id;
            t.Paused++;
        }
    }

    /// <summary>Resumes recording (a scope outliving its gradient call does nothing: the tape may serve another call).</summary>
    public void Dispose()
    {
        if (_tape is Tape t && t.Id == _id && t.Paused > 0) t.Paused--;
    }
}
