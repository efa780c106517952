using DeepLearning.Backends;

namespace DeepLearning;

/// <summary>The gradient rule an op records: given the gradient of its output, accumulate those of its inputs.</summary>
internal delegate void BackwardRule(TapeNode node, Tensor gradOutput);

/// <summary>One recorded op: its output, up to three inputs, what the rule needs saved, and the rule.</summary>
internal sealed class TapeNode
{
    public Tensor Output = null!;
    public Tensor A = null!;
    public Tensor? B;
    public Tensor? C;
    public BackwardRule Rule = null!;

    /// <summary>A scalar argument of the op (the exponent, the slope, the axis …).</summary>
    public float Alpha;

    /// <summary>An integer argument of the op (an axis, flags …).</summary>
    public int Int;

    /// <summary>A second integer argument (an offset …).</summary>
    public int Int2;

    /// <summary>A random stream's seed and position (dropout redraws its mask in the backward pass).</summary>
    public ulong Seed, Counter;

    /// <summary>Any other argument the rule needs (a permutation, a list of inputs …).</summary>
    public object? State;

    /// <summary>The window geometry of a convolution or pooling op (a field, not boxed in <see cref="State"/>, so recording allocates nothing).</summary>
    public ConvGeometry Conv;

    /// <summary>Intermediate results the rule needs besides the inputs and output (batch norm's x̂ and 1/σ).</summary>
    public Tensor? Saved, Saved2;

    /// <summary>Whether input A needs a gradient (rules skip work for inputs that do not).</summary>
    public bool NeedsA => A.TapeId == Output.TapeId;

    /// <summary>Whether input B needs a gradient.</summary>
    public bool NeedsB => B is not null && B.TapeId == Output.TapeId;

    public void AddToA(Tensor grad) => Tape.Current!.Accumulate(A, grad);

    public void AddToB(Tensor grad) => Tape.Current!.Accumulate(B!, grad);

    public void Clear()
    {
        Output = A = null!;
        B = C = Saved = Saved2 = null;
        Rule = null!;
        State = null;
    }
}

/// <summary>
/// The tape ops record onto while a gradient is being taken. One per thread at a time (nested tapes stack). An op
/// records only if one of its inputs is tracked on the current tape, so inference and code outside a gradient call
/// pay one field read per op.
/// </summary>
internal sealed class Tape
{
    [ThreadStatic] private static Tape? _current;
    // Ended tapes of this thread, kept so a training loop reuses their node lists instead of allocating new ones.
    [ThreadStatic] private static Stack<Tape>? _free;
    private static int _lastId;
    private readonly List<TapeNode> _nodes = [];
    private int _count;

    public static Tape? Current => _current;

    /// <summary>Whether a tape is recording on this thread (ops with many inputs check it before listing them).</summary>
    public static bool Active => _current is { Paused: 0 };

    /// <summary>Unique per use of the tape, so tensors tracked in an earlier use are not mistaken for this one's.</summary>
    public int Id { get; private set; }

    public Tape? Parent { get; private set; }

    /// <summary>While paused (no-grad scopes, the backward pass itself), nothing records.</summary>
    public int Paused { get; set; }

    public int Count => _count;

    public TapeNode this[int i] => _nodes[i];

    public static Tape Push()
    {
        var t = _free is { Count: > 0 } free ? free.Pop() : new Tape();
        t.Parent = _current;
        t.Id = Interlocked.Increment(ref _lastId);
        t.Paused = 0;
        _current = t;
        return t;
    }

    /// <summary>Ends this tape (after <see cref="Reset"/>) and makes it available for reuse.</summary>
    public void Pop()
    {
        if (_current != this) throw new InvalidOperationException("Autodiff: tapes must end in the reverse order they began");
        _current = Parent;
        Parent = null;
        (_free ??= new Stack<Tape>()).Push(this);
    }

    /// <summary>Whether tape <paramref name="id"/> is one of this thread's open tapes (this one or one it is nested in).</summary>
    public bool IsOnThisThread(int id)
    {
        for (var t = this; t is not null; t = t.Parent)
            if (t.Id == id) return true;
        return false;
    }

    /// <summary>Whether <paramref name="t"/> is tracked on this tape.</summary>
    public bool Tracks(Tensor t) => t.TapeId == Id;

    public void Track(Tensor t) => t.TapeId = Id;

    /// <summary>
    /// Records <paramref name="output"/> = op(<paramref name="a"/>, <paramref name="b"/>) when a tape records and an
    /// input is tracked; returns the node so the op can save what its rule needs, or null when nothing recorded.
    /// </summary>
    public static TapeNode? Record(Tensor output, Tensor a, Tensor? b, BackwardRule rule) => Record(output, a, b, null, rule);

    /// <summary>Records an op of three inputs (a dense layer's input, weight and bias); see the two-input form.</summary>
    public static TapeNode? Record(Tensor output, Tensor a, Tensor? b, Tensor? c, BackwardRule rule)
    {
        var tape = _current;
        if (tape is null || tape.Paused != 0) return null;
        if (a.TapeId != tape.Id && (b is null || b.TapeId != tape.Id) && (c is null || c.TapeId != tape.Id)) return null;
        var node = tape.Add(output, a, b, rule);
        node.C = c;
        return node;
    }

    /// <summary>Records an op of any number of inputs (Concat): the list is the node's state, its first entry stands as A.</summary>
    public static TapeNode? Record(Tensor output, IReadOnlyList<Tensor> inputs, BackwardRule rule)
    {
        var tape = _current;
        if (tape is null || tape.Paused != 0) return null;
        bool any = false;
        foreach (var t in inputs) any |= t.TapeId == tape.Id;
        if (!any) return null;
        var node = tape.Add(output, inputs[0], null, rule);
        node.State = inputs;
        return node;
    }

    private TapeNode Add(Tensor output, Tensor a, Tensor? b, BackwardRule rule)
    {
        if (_count == _nodes.Count) _nodes.Add(new TapeNode());
        var node = _nodes[_count++];
        node.Output = output;
        node.A = a;
        node.B = b;
        node.C = node.Saved = node.Saved2 = null;
        node.Rule = rule;
        node.Alpha = 0;
        node.Int = node.Int2 = 0;
        node.State = null;
        output.TapeId = Id;
        return node;
    }

    /// <summary>Adds <paramref name="grad"/> to the gradient of <paramref name="input"/>, if the input is tracked.</summary>
    public void Accumulate(Tensor input, Tensor grad)
    {
        if (input.TapeId != Id) return;
        if (grad.Shape != input.Shape)
            throw new InvalidOperationException($"Autodiff: a rule produced a gradient of shape {grad.Shape} for {input.Describe()}");
        var sum = input.Grad;
        if (sum is null) input.Grad = grad;
        else if (ReferenceEquals(sum.AccumulatesGradientOf, input)) sum.Backend.AddInPlace(grad.Buffer, grad.Offset, sum.Buffer, sum.Offset, sum.Length);
        else
        {
            // The first gradient may be shared (an Add passes its incoming gradient to both inputs unchanged, and a
            // sum made for one tensor may flow on to others): sum into new memory owned by this input, which later
            // gradients of this input alone are then added to in place.
            sum = Kernels.Binary(DeepLearning.Backends.BinaryOp.Add, sum, grad, "Autodiff");
            sum.AccumulatesGradientOf = input;
            input.Grad = sum;
        }
    }

    /// <summary>Forgets every node and every gradient left on tensors, so nothing recorded stays reachable.</summary>
    public void Reset()
    {
        for (int i = 0; i < _count; i++)
        {
            var n = _nodes[i];
            n.Output.Grad = null;
            n.Output.TapeId = 0;
            n.A.Grad = null;
            if (n.B is not null) n.B.Grad = null;
            if (n.C is not null) n.C.Grad = null;
            if (n.State is IReadOnlyList<Tensor> list)
                foreach (var t in list) t.Grad = null;
            n.Clear();
        }
        _count = 0;
    }
}
