using System.Numerics;

namespace DeepLearning.Backends.Cpu;

/// <summary>
/// Power-of-two size classes of float arrays, so the buffers of one training step are reused by the next instead of
/// being collected. Unlike <see cref="System.Buffers.ArrayPool{T}"/> it keeps arrays of any size class up to 2²⁴
/// floats, up to a cap on the floats retained; larger arrays (whole data sets) are allocated exactly and left to the GC.
/// </summary>
internal sealed class FloatArrayPool
{
    private const int MinClass = 4;
    private const int MaxClass = 24;
    // Stack<T> under a lock rather than ConcurrentStack: a push must not allocate a node.
    private readonly Stack<float[]>[] _classes = new Stack<float[]>[MaxClass + 1];
    private readonly long _maxRetained;
    private long _retained;

    public FloatArrayPool(long maxRetainedFloats)
    {
        _maxRetained = maxRetainedFloats;
        for (int i = 0; i < _classes.Length; i++) _classes[i] = new Stack<float[]>();
    }

    /// <summary>Arrays allocated because the pool had none of the size (the tests that a step allocates no buffer count them).</summary>
    public long Misses => Interlocked.Read(ref _misses);
    private long _misses;

    public float[] Rent(int length)
    {
        if (length > 1 << MaxClass)
        {
            Interlocked.Increment(ref _misses);
            return GC.AllocateUninitializedArray<float>(length);
        }
        int c = SizeClass(length);
        var stack = _classes[c];
        lock (stack)
        {
            if (stack.TryPop(out var a))
            {
                Interlocked.Add(ref _retained, -a.Length);
                return a;
            }
        }
        Interlocked.Increment(ref _misses);
        return GC.AllocateUninitializedArray<float>(1 << c);
    }

    public void Return(float[] array)
    {
        if (array.Length > 1 << MaxClass) return;
        int c = SizeClass(array.Length);
        if (array.Length != 1 << c) return;
        var stack = _classes[c];
        lock (stack)
        {
            if (Interlocked.Read(ref _retained) + array.Length > _maxRetained) return;
            Interlocked.Add(ref _retained, array.Length);
            stack.Push(array);
        }
    }

    /// <summary>Floats held by the pool for reuse.</summary>
    public long Retained => Interlocked.Read(ref _retained);

    /// <summary>Drops every pooled array (they go to the GC).</summary>
    public void Clear()
    {
        foreach (var stack in _classes)
            lock (stack)
            {
                foreach (var a in stack) Interlocked.Add(ref _retained, -a.Length);
                stack.Clear();
            }
    }

    private static int SizeClass(int length) =>
        length <= 1 << MinClass ? MinClass : 32 - BitOperations.LeadingZeroCount((uint)(length - 1));
}
