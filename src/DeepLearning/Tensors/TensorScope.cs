namespace DeepLearning;

/// <summary>
/// Releases every tensor created inside it when it ends, except those passed to <see cref="Keep{T}"/>, which move
/// to the enclosing scope (or to the GC when there is none). Scopes nest per thread; a training step runs inside
/// one, so its temporaries go back to the pool while parameters and optimizer state, created outside, live on.
/// </summary>
/// <remarks>
/// The library opens scopes of its own: each <see cref="Trainer.TrainStep"/> and <see cref="Optimizer.Update"/>, each
/// batch of <see cref="Trainer.Train"/>, <c>Fit</c> and <c>Evaluate</c>, and each iteration of a <c>foreach</c> over a
/// <see cref="DataLoader"/> (its batch and everything the loop body makes live until the enumeration moves on). A
/// tensor object is never reused: one read after its scope ended throws <see cref="ObjectDisposedException"/>, naming
/// the scope that released it.
/// </remarks>
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
    // The lists of ended scopes, reused by later scopes of the thread so a training loop does not regrow them.
    [ThreadStatic] private static Stack<List<Tensor>>? _spareLists;
    private const int MaxSpareLists = 32;
    private List<Tensor>? _owned;
    private TensorScope? _parent;
    private readonly int _thread;

    private TensorScope(string ends)
    {
        Ends = ends;
        _owned = _spareLists is { Count: > 0 } spare ? spare.Pop() : [];
        _parent = _current;
        _thread = Environment.CurrentManagedThreadId;
        _current = this;
    }

    /// <summary>
    /// The innermost open scope of this thread, if any. Inside a training step's loss this is the step's scope: call
    /// <see cref="Keep{T}"/> on it to hold a tensor past the step.
    /// </summary>
    public static TensorScope? Current => _current;

    /// <summary>Number of tensors this scope will release.</summary>
    public int Count => _owned?.Count ?? 0;

    /// <summary>When this scope releases its tensors, as error messages about a released tensor say it.</summary>
    internal string Ends { get; }

    /// <summary>Opens a scope on this thread; dispose it to release what was created inside.</summary>
    public static TensorScope Begin() => new("at the end of its TensorScope");

    /// <summary>Opens a scope whose end <paramref name="ends"/> describes (the library's step, update and batch scopes).</summary>
    internal static TensorScope Begin(string ends) => new(ends);

    /// <summary>Keeps <paramref name="tensor"/> alive past this scope: it moves to the enclosing scope, if any.</summary>
    /// <returns>The same tensor, for chaining.</returns>
    /// <exception cref="ObjectDisposedException">This scope has already ended.</exception>
    public T Keep<T>(T tensor) where T : Tensor
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_owned is null, this);
        if (tensor.Scope == this)
        {
            tensor.Scope = null;
            _parent?.Register(tensor);
        }
        return tensor;
    }

    internal void Register(Tensor tensor)
    {
        tensor.Scope = this;
        _owned!.Add(tensor);
    }

    /// <summary>
    /// Releases every tensor created in this scope and not kept, and closes the scope. Inner scopes of the same thread
    /// still open (an exception escaped one begun without <c>using</c>) end first, innermost first. Safe to call twice.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called on a thread other than the one that began the scope (scopes are per thread).</exception>
    public void Dispose()
    {
        if (_owned is null) return;
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException("TensorScope: a scope must end on the thread that began it (scopes are per thread)");
        // Every live scope is on its thread's chain (an outer scope ends its inner ones), so this loop stops at this one.
        while (_current != this && _current is not null) _current.Dispose();
        _current = _parent;
        _parent = null;
        var owned = _owned;
        _owned = null;
        foreach (var t in owned)
            if (t.Scope == this)
            {
                t.Scope = null;
                t.Release(Ends);
            }
        owned.Clear();
        var spare = _spareLists ??= new Stack<List<Tensor>>();
        if (spare.Count < MaxSpareLists) spare.Push(owned);
    }
}
