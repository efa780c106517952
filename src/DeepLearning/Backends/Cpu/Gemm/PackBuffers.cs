using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DeepLearning.Backends.Cpu.Gemm;

/// <summary>
/// The packed-A block and packed-B panel of one running GEMM (pinned, 64-byte aligned, grown on demand). A few
/// sets are kept in lock-free slots and reused by later calls, so the steady state allocates nothing, and the
/// memory held is bounded by how many GEMMs run at once, not by how many threads ever ran one (pool threads come
/// and go; thread-static buffers would pin megabytes on each).
/// </summary>
internal sealed unsafe class PackBuffers
{
    private static readonly PackBuffers?[] Slots = new PackBuffers?[Math.Max(2, 2 * Environment.ProcessorCount)];
    private float[] _a = [], _b = [];

    public static PackBuffers Rent()
    {
        int start = Environment.CurrentManagedThreadId;
        for (int i = 0; i < Slots.Length; i++)
        {
            ref var slot = ref Slots[(start + i) % Slots.Length];
            if (Volatile.Read(ref slot) is not null && Interlocked.Exchange(ref slot, null) is { } found) return found;
        }
        return new PackBuffers();
    }

    public static void Return(PackBuffers buffers)
    {
        int start = Environment.CurrentManagedThreadId;
        for (int i = 0; i < Slots.Length; i++)
            if (Interlocked.CompareExchange(ref Slots[(start + i) % Slots.Length], buffers, null) is null) return;
        // All slots taken: more GEMMs ran at once than slots; let the GC have this set.
    }

    public float* A(int floats) => Pointer(ref _a, floats);

    public float* B(int floats) => Pointer(ref _b, floats);

    private static float* Pointer(ref float[] buffer, int floats)
    {
        if (buffer.Length < floats + 16)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats + 16, buffer.Length * 2), pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((p + 63) & ~(nint)63);
    }
}
