namespace DeepLearning.Tests.Tensors;

/// <summary>Scopes release what was made inside them, except what is kept; parameters are never scoped.</summary>
public class TensorScopeTests
{
    [Fact]
    public void Tensors_made_inside_are_released_at_the_end()
    {
        Tensor inside, kept;
        var outside = Tensor.Ones(2);
        using (var scope = TensorScope.Begin())
        {
            Assert.Same(scope, TensorScope.Current);
            inside = outside * 2f;
            kept = scope.Keep(outside + 1f);
            Assert.Equal(1, scope.Count - 1); // inside and kept were registered; kept no longer belongs to it
        }
        Assert.Null(TensorScope.Current);
        Assert.True(inside.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.False(outside.IsDisposed);
        Assert.Equal([2f, 2], kept.ToArray());
    }

    [Fact]
    public void Nested_scopes_and_keep_move_a_tensor_to_the_parent()
    {
        Tensor a, b, c;
        using (var outer = TensorScope.Begin())
        {
            using (var inner = TensorScope.Begin())
            {
                a = Tensor.Ones(1);
                b = inner.Keep(Tensor.Ones(1));
                Assert.Same(inner, TensorScope.Current);
            }
            Assert.Same(outer, TensorScope.Current);
            Assert.True(a.IsDisposed);
            Assert.False(b.IsDisposed);       // moved to the outer scope
            c = outer.Keep(b + 1f);          // kept past the outer scope
        }
        Assert.True(b.IsDisposed);
        Assert.False(c.IsDisposed);
        Assert.Equal(2f, c.Item());
    }

    [Fact]
    public void Parameters_are_never_scoped()
    {
        Parameter p;
        using (TensorScope.Begin())
        {
            p = new Parameter(Tensor.FromArray([1f, 2]), "p");
            p.Assign(p * 3f);
        }
        Assert.False(p.IsDisposed);
        Assert.Equal([3f, 6], p.ToArray());
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() => p.Assign(Tensor.Zeros(3))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ending_an_outer_scope_ends_the_inner_ones_left_open()
    {
        var outer = TensorScope.Begin();
        var a = Tensor.Ones(2);
        var inner = TensorScope.Begin();
        var b = Tensor.Ones(2);
        outer.Dispose();
        Assert.True(a.IsDisposed && b.IsDisposed);
        Assert.Null(TensorScope.Current);
        inner.Dispose(); // already ended: harmless, as is a second Dispose
        outer.Dispose();
        Assert.Null(TensorScope.Current);
    }

    [Fact]
    public void An_exception_escaping_an_inner_scope_begun_without_using_surfaces_unchanged()
    {
        Tensor? a = null, b = null;
        Action work = () =>
        {
            using var outer = TensorScope.Begin();
            a = Tensor.Ones(3);
            _ = TensorScope.Begin();
            b = Tensor.Ones(3);
            throw new FormatException("boom");
        };
        var e = Assert.Throws<FormatException>(work);
        Assert.Equal("boom", e.Message);
        Assert.Null(TensorScope.Current);
        Assert.True(a!.IsDisposed && b!.IsDisposed);
    }

    [Fact]
    public void A_scope_ended_on_another_thread_names_the_rule()
    {
        var scope = TensorScope.Begin();
        try
        {
            Exception? caught = null;
            var thread = new Thread(() => caught = Record.Exception(scope.Dispose));
            thread.Start();
            thread.Join();
            var e = Assert.IsType<InvalidOperationException>(caught);
            Assert.Contains("on the thread that began it", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            scope.Dispose();
        }
    }

    [Fact]
    public void Gradients_are_created_in_the_current_scope()
    {
        var x = Tensor.FromArray([1f, 2]);
        Tensor g;
        using (TensorScope.Begin()) g = Autodiff.Gradient(() => (x * x).Sum(), [x])[x];
        Assert.True(g.IsDisposed);
        Assert.False(x.IsDisposed);
    }
}

[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public sealed class MemoryCollection;

/// <summary>
/// A long training-like loop must not grow: live device buffers and the managed heap stay flat. Runs alone (not in
/// parallel with other tests) because both counters are process-wide.
/// </summary>
[Collection(nameof(MemoryCollection))]
public class MemoryTests
{
    [Fact]
    public void Ten_thousand_steps_in_scopes_do_not_grow_buffers_or_heap()
    {
        var x = Tensor.RandN(new Shape(8, 4), seed: 1);
        var y = Tensor.RandN(new Shape(8, 3), seed: 2);
        var w = new Parameter(Tensor.Normal(new Shape(4, 3), 0, 0.5f, seed: 3), "W");
        var b = new Parameter(Tensor.Zeros(3), "b");
        Tensor Loss() => ((x.MatMul(w) + b).Relu() - y).Square().Mean();

        void Step()
        {
            using var scope = TensorScope.Begin();
            var (loss, grads) = Autodiff.ValueAndGradient(Loss, [w, b]);
            using (Autodiff.NoGrad())
            {
                w.Assign(w - grads[w] * 0.01f);
                b.Assign(b - grads[b] * 0.01f);
            }
            Assert.False(float.IsNaN(loss.Item()));
        }

        for (int i = 0; i < 200; i++) Step();
        long buffers = Device.Cpu.LiveBuffers;
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 10_000; i++) Step();
        long buffersAfter = Device.Cpu.LiveBuffers;
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(buffers, buffersAfter);
        // 10,000 steps allocate hundreds of MB in total; what stays must be noise (JIT, pools' bookkeeping).
        Assert.True(heapAfter - heap < 1 << 20, $"managed heap grew from {heap} to {heapAfter} bytes");
    }
}
