namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// A thread-group size as a type: ILGPU needs shared-memory sizes to be compile-time constants, and a constant read
/// from a generic struct argument is one (a runtime size is an internal compiler error). Powers of two, for tree reductions.
/// </summary>
internal interface IGroupSize
{
    int Size { get; }
}

/// <summary>256 threads: GPUs and the 32-lane CPU accelerator.</summary>
internal readonly struct Group256 : IGroupSize
{
    public int Size => 256;
}

/// <summary>16 threads: ILGPU's default CPU accelerator (4 warps of 4).</summary>
internal readonly struct Group16 : IGroupSize
{
    public int Size => 16;
}

/// <summary>
/// A GEMM group of Edge × Edge threads, each computing 4 × 4 elements of C, so a group's block of C is 4·Edge square and
/// its shared slices of op(A) and op(B) hold <see cref="Slice"/> = 4·Edge·Edge floats each.
/// </summary>
internal interface ITile
{
    int Edge { get; }

    int Slice { get; }
}

/// <summary>16 × 16 threads, 64 × 64 blocks of C.</summary>
internal readonly struct Tile16 : ITile
{
    public int Edge => 16;

    public int Slice => 1024;
}

/// <summary>4 × 4 threads, 16 × 16 blocks, for ILGPU's default CPU accelerator (at most 16 threads per group).</summary>
internal readonly struct Tile4 : ITile
{
    public int Edge => 4;

    public int Slice => 64;
}
