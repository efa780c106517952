namespace DeepLearning;

/// <summary>
/// Releases every tensor created inside it when it ends, except those passed to <see cref="Keep{T}"/>, which move
/// to the enclosing scope (or to the GC when there is none). Scopes nest per thread; a training step runs inside
/// one, so its temporaries go back to the pool while parameters and optimizer state, created outside, live on.
/// </summary>
/// <example>
/// <code>
/// using (var scope = TensorScope.Begin())
/// {
///     var loss = scope.Keep(Loss(x, y));   // everything else made here is released at the end of the block
/// }
/// </code>
/// </example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    // Step scopes of this thread reuse their scope objects and hand the tensors they release to the next step.
    [ThreadStatic] private static Stack<TensorScope>? _spareSteps;
    [ThreadStatic] private static Stack<Tensor>? _recycled;
    private const int MaxRecycled = 4096;
    private readonly List<Tensor> _owned = [];
    private TensorScope? _parent;
    private bool _disposed;
    private bool _step;

    private TensorScope() { }

    /// <summary>
    /// The innermost open scope of this thread, if any. Inside a training step's loss this is the step's scope: call
    /// <see cref="Keep{T}"/> on it to hold a tensor past the step, but do not hold the scope itself (later steps reuse it).
    /// </summary>
    public static TensorScope? Current => _current;

    /// <summary>Number of tensors this scope will release.</summary>
    public int Count => _owned.Count;

    /// <summary>Opens a scope on this thread; dispose it to release what was created inside.</summary>
    public static TensorScope Begin()
    {
        var s = new TensorScope { _parent = _current };
        _current = s;
        return s;
    }

    /// <summary>
    /// Opens the scope of a training step (or of a batch's fetch, or of an optimizer update): an internal scope object
    /// reused step after step, whose released tensor objects (except kept ones) are reused by later ops of this thread,
    /// so a steady-state step allocates nothing. A reference to one held past the step would then see another
    /// tensor's data instead of throwing, which is why only the library's own step scopes do this.
    /// </summary>
    internal static TensorScope BeginStep()
    {
        var s = _spareSteps is { Count: > 0 } spare ? spare.Pop() : new TensorScope { _step = true };
        s._disposed = false;
        s._parent = _current;
        _current = s;
        return s;
    }

    /// <summary>A tensor object a step scope released, to be reinitialised by the caller; null when there is none.</summary>
    internal static Tensor? TakeRecycled() => _recycled is { Count: > 0 } r ? r.Pop() : null;

    /// <summary>Keeps <paramref name="tensor"/> alive past this scope: it moves to the enclosing scope, if any.</summary>
    /// <returns>The same tensor, for chaining.</returns>
    public T Keep<T>(T tensor) where T : Tensor
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Scope == this)
        {
            // Its holder outlives this scope and may read it after the enclosing one ends too (a batch of Train):
            // released there, it must throw rather than turn into a later step's tensor.
            tensor.Kept = true;
            tensor.Scope = null;
            _parent?.Register(tensor);
        }
        return tensor;
    }

    internal void Register(Tensor tensor)
    {
        tensor.Scope = this;
        _owned.Add(tensor);
    }

    /// <summary>Releases every tensor created in this scope and not kept, and closes the scope.</summary>
    /// <exception cref="InvalidOperationException">An inner scope of the same thread is still open.</exception>
    public void Dispose()
    {
        if (_disposed) return;
        if (_current != this)
        {
            bool open = false;
            for (var s = _current; s is not null && !open; s = s._parent) open = s == this;
            if (!open) throw new InvalidOperationException("TensorScope: a scope must end on the thread that began it (scopes are per thread)");
            // Inner scopes left open (an exception escaped one begun without `using`) end first, innermost first.
            while (_current != this) _current!.Dispose();
        }
        _disposed = true;
        _current = _parent;
        _parent = null;
        var recycled = _step ? _recycled ??= new Stack<Tensor>() : null;
        foreach (var t in _owned)
            if (t.Scope == this)
            {
                t.Scope = null;
                t.Dispose();
                if (recycled is not null && !t.Kept && recycled.Count < MaxRecycled && t.GetType() == typeof(Tensor)) recycled.Push(t);
            }
        _owned.Clear();
        if (_step) (_spareSteps ??= new Stack<TensorScope>()).Push(this);
    }
}
