using DeepLearning.Backends.Cpu;

namespace DeepLearning;

public partial class Tensor
{
    /// <summary>
    /// The elements of a tensor whose memory is already host memory (the CPU device), read in place: no copy, no
    /// backend call. Input checks use it so that on the CPU they cost one pass over the values, while on a device
    /// whose memory is elsewhere they are skipped rather than paying a device read (a synchronisation) per step.
    /// </summary>
    /// <param name="values">The <see cref="Length"/> elements, row-major; empty when this returns false.</param>
    /// <returns>False when the memory is not host memory.</returns>
    internal bool TryGetHostSpan(out ReadOnlySpan<float> values)
    {
        if (Buffer is CpuBuffer cpu)
        {
            values = cpu.AsSpan(Offset, Length);
            return true;
        }
        values = default;
        return false;
    }

    /// <summary>
    /// The managed array holding a host-memory tensor's elements, for code that hands the memory to native libraries in
    /// place (MPI collectives): the elements are <c>array[offset .. offset + Length]</c>. The array may be longer, and it
    /// returns to the CPU pool when the tensor is released.
    /// </summary>
    /// <returns>False when the memory is not host memory.</returns>
    internal bool TryGetHostArray(out float[] array, out int offset)
    {
        if (Buffer is CpuBuffer cpu)
        {
            array = cpu.Array;
            offset = Offset;
            return true;
        }
        array = [];
        offset = 0;
        return false;
    }
}
