namespace DeepLearning;

/// <summary>A device allocation failed even after the allocator returned its cached blocks to the driver.</summary>
public sealed class GpuOutOfMemoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Names the device, the bytes requested, in use, cached and free.</param>
    /// <param name="bytesRequested">The size of the failed request in bytes (rounded up to its size class).</param>
    /// <param name="inner">The driver's exception, when the driver refused.</param>
    public GpuOutOfMemoryException(string message, long bytesRequested, Exception? inner) : base(message, inner) => BytesRequested = bytesRequested;

    /// <summary>Creates the exception with a message.</summary>
    public GpuOutOfMemoryException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public GpuOutOfMemoryException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public GpuOutOfMemoryException() { }

    /// <summary>The size of the failed request in bytes.</summary>
    public long BytesRequested { get; }
}

/// <summary>
/// A GPU device cannot be used: its driver library is missing, no such device exists, or ILGPU refuses it. The message
/// names the library or capability and what to install.
/// </summary>
public sealed class GpuUnavailableException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public GpuUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public GpuUnavailableException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public GpuUnavailableException() { }
}
