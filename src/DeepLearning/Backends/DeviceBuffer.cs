namespace DeepLearning.Backends;

/// <summary>
/// A block of float32 memory owned by one backend. Reference counted: tensors that view the same memory
/// (a reshape, a batch slice) retain it, and the memory goes back to its backend's pool when the last one releases it.
/// </summary>
public abstract class DeviceBuffer
{
    private int _references = 1;

    /// <summary>Creates a buffer holding one reference.</summary>
    /// <param name="length">Number of float32 elements.</param>
    protected DeviceBuffer(int length) => Length = length;

    /// <summary>Number of float32 elements.</summary>
    public int Length { get; private set; }

    /// <summary>The backend that owns this memory.</summary>
    public abstract IBackend Backend { get; }

    /// <summary>Whether the last reference was released.</summary>
    public bool IsReleased => Volatile.Read(ref _references) <= 0;

    /// <summary>Adds a reference.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was already released.</exception>
    public void Retain()
    {
        // Never from zero: a released buffer may already be back in its backend's pool, serving another allocation.
        int seen;
        do
        {
            seen = Volatile.Read(ref _references);
            if (seen <= 0) throw new ObjectDisposedException(nameof(DeviceBuffer), "Retain: the buffer was already released");
        }
        while (Interlocked.CompareExchange(ref _references, seen + 1, seen) != seen);
    }

    /// <summary>
    /// Makes a released buffer hold one reference again, over <paramref name="length"/> elements, so a backend can
    /// reuse the object for another allocation instead of making a new one.
    /// </summary>
    /// <returns>False, leaving the buffer alone, when its count is not exactly zero (it was released too often).</returns>
    private protected bool TryReuse(int length)
    {
        if (Interlocked.CompareExchange(ref _references, 1, 0) != 0) return false;
        Length = length;
        return true;
    }

    /// <summary>Drops a reference; the last one returns the memory to the backend (which may reuse this object).</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0) Free();
        else if (left < 0) throw new InvalidOperationException("Release: the buffer was released more often than retained");
    }

    /// <summary>Returns the memory to the backend; called once, when the last reference is released.</summary>
    protected abstract void Free();
}
