using DeepLearning.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// Device memory of an <see cref="IlgpuBackend"/>: a block from its caching allocator, at least
/// <see cref="DeviceBuffer.Length"/> floats long. Released blocks return to the allocator's free list, not to the driver.
/// </summary>
public sealed class IlgpuBuffer : DeviceBuffer
{
    private readonly IlgpuBackend _backend;

    internal IlgpuBuffer(IlgpuBackend backend, MemoryBuffer1D<float, Stride1D.Dense> block, int sizeClass, int length) : base(length)
    {
        _backend = backend;
        Block = block;
        SizeClass = sizeClass;
    }

    /// <inheritdoc/>
    public override IBackend Backend => _backend;

    /// <summary>The allocator's block (its capacity is the size class, not the requested length).</summary>
    internal MemoryBuffer1D<float, Stride1D.Dense> Block { get; }

    /// <summary>The allocator's size class: the block holds 2^SizeClass floats.</summary>
    internal int SizeClass { get; }

    /// <summary>The whole block as a kernel argument; kernels take element offsets beside it, so views stay 256-byte aligned.</summary>
    internal ArrayView<float> View => Block.View;

    /// <inheritdoc/>
    protected override void Free() => _backend.Allocator.Return(this);
}
