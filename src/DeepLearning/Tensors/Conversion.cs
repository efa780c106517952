namespace DeepLearning;

public partial class Tensor
{
    /// <summary>A copy of the elements in row-major order.</summary>
    public float[] ToArray()
    {
        var a = new float[Length];
        CopyTo(a);
        return a;
    }

    /// <summary>Copies the elements, row-major, into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="Length"/>.</exception>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < Length)
            throw new ArgumentException($"CopyTo: destination holds {destination.Length} elements, {Describe()} has {Length}", nameof(destination));
        Backend.Download(Buffer, Offset, destination[..Length]);
    }

    /// <summary>
    /// Overwrites every element in place from host memory, row-major, in one bulk upload (loading weights into a
    /// model on any device moves each tensor through the host once, never element by element).
    /// </summary>
    internal void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != Length)
            throw new ArgumentException($"CopyFrom: source holds {source.Length} elements, {Describe()} has {Length}", nameof(source));
        Backend.Upload(source, Buffer, Offset);
    }

    /// <summary>The elements of a 2-D tensor as a 2-D array.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not 2-D.</exception>
    public float[,] ToArray2D()
    {
        if (Rank != 2) throw new InvalidOperationException($"ToArray2D: {Describe()} is not 2-D");
        var a = new float[Shape[0], Shape[1]];
        System.Buffer.BlockCopy(ToArray(), 0, a, 0, Length * sizeof(float));
        return a;
    }

    /// <summary>The value of a one-element tensor (PyTorch's <c>item()</c>).</summary>
    /// <exception cref="InvalidOperationException">The tensor has more or fewer than one element.</exception>
    public float Item()
    {
        if (Length != 1) throw new InvalidOperationException($"Item: {Describe()} has {Length} elements, not one");
        Span<float> v = stackalloc float[1];
        Backend.Download(Buffer, Offset, v);
        return v[0];
    }

    /// <summary>Reads one element; one index per dimension.</summary>
    /// <exception cref="ArgumentException">The number of indices differs from the rank.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside its dimension.</exception>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(index);
            if (index.Length != Rank)
                throw new ArgumentException($"Indexer: {index.Length} indices given for {Describe()} of rank {Rank}", nameof(index));
            int flat = 0;
            for (int d = 0; d < Rank; d++)
            {
                int i = index[d];
                if (i < 0 || i >= Shape[d])
                    throw new IndexOutOfRangeException($"Indexer: index {i} is outside dimension {d} of {Describe()}");
                flat = flat * Shape[d] + i;
            }
            Span<float> v = stackalloc float[1];
            Backend.Download(Buffer, Offset + flat, v);
            return v[0];
        }
    }

    /// <summary>Overwrites one element in place, by flat row-major index (for finite differences).</summary>
    internal void SetElement(int index, float value)
    {
        ReadOnlySpan<float> v = [value];
        Backend.Upload(v, Buffer, Offset + index);
    }

    /// <summary>
    /// This tensor on <paramref name="device"/>: itself if already there, else a copy in the current scope (one
    /// transfer, not recorded on the tape: move data and models before computing with them).
    /// </summary>
    public Tensor To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device == Device) return this;
        var y = Create(Shape, device);
        CopyAcross(this, y);
        return y;
    }

    /// <summary>
    /// Moves this tensor's elements to <paramref name="device"/> in place: the same object, new memory there, the old
    /// memory released. For parameters, layer buffers and optimizer state, which optimizers and gradients know by object.
    /// </summary>
    internal void MoveTo(Device device)
    {
        if (device == Device) return;
        var moved = CreateUnscoped(Shape, device);
        CopyAcross(this, moved);
        var old = Interlocked.Exchange(ref _buffer, moved._buffer);
        moved._buffer = null;
        Device = device;
        old?.Release();
    }

    /// <summary>
    /// Copies <paramref name="src"/>'s elements into <paramref name="dst"/> (same length) on another device, through the
    /// host once: straight into or out of host memory when one side is the CPU, else through a pooled host array.
    /// </summary>
    private static void CopyAcross(Tensor src, Tensor dst)
    {
        if (dst.Buffer is DeepLearning.Backends.Cpu.CpuBuffer host)
        {
            src.Backend.Download(src.Buffer, src.Offset, host.AsSpan(dst.Offset, dst.Length));
            return;
        }
        if (src.TryGetHostSpan(out var values))
        {
            dst.Backend.Upload(values, dst.Buffer, dst.Offset);
            return;
        }
        var staging = System.Buffers.ArrayPool<float>.Shared.Rent(src.Length);
        try
        {
            src.Backend.Download(src.Buffer, src.Offset, staging.AsSpan(0, src.Length));
            dst.Backend.Upload(staging.AsSpan(0, src.Length), dst.Buffer, dst.Offset);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(staging);
        }
    }
}
