using DeepLearning.Backends;
using ILGPU;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// Device memory of an <see cref="IlgpuBackend"/>: a 256-byte-aligned block from its caching allocator, at least
/// <see cref="DeviceBuffer.Length"/> floats long — a slice of an arena or, when large, a driver buffer of its own.
/// Released blocks return to the allocator, not to the driver.
/// </summary>
public sealed class IlgpuBuffer : DeviceBuffer
{
    private readonly CachingAllocator _allocator;

    internal IlgpuBuffer(CachingAllocator allocator, ArrayView<float> view, int sizeClass, int length,
        CachingAllocator.Arena? arena, int slot, CachingAllocator.Dedicated? dedicated) : base(length)
    {
        _allocator = allocator;
        View = view;
        SizeClass = sizeClass;
        Arena = arena;
        Slot = slot;
        Dedicated = dedicated;
    }

    /// <inheritdoc/>
    public override IBackend Backend => _allocator.Backend;

    /// <summary>
    /// The block as a kernel argument: a view of the class size (not the requested length), usually a slice of an
    /// arena, so code that needs a device pointer takes <c>View.LoadEffectiveAddressAsPtr()</c> (offset included), never
    /// the driver buffer's base. Kernels take element offsets beside it.
    /// </summary>
    internal ArrayView<float> View { get; }

    /// <summary>The allocator's size class (<see cref="SizeClasses"/>).</summary>
    internal int SizeClass { get; }

    /// <summary>The arena the block was cut from, or null for a dedicated buffer.</summary>
    internal CachingAllocator.Arena? Arena { get; }

    /// <summary>The block's index in its arena.</summary>
    internal int Slot { get; }

    /// <summary>The driver buffer of a block too large for an arena, or null.</summary>
    internal CachingAllocator.Dedicated? Dedicated { get; }

    /// <inheritdoc/>
    protected override void Free() => _allocator.Return(this);
}
