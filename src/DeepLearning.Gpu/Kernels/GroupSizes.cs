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

/// <summary>A GEMM tile edge; the group is Edge × Edge threads.</summary>
internal interface ITile
{
    int Edge { get; }

    int Area { get; }
}

/// <summary>16 × 16 tiles (256 threads).</summary>
internal readonly struct Tile16 : ITile
{
    public int Edge => 16;

    public int Area => 256;
}

/// <summary>4 × 4 tiles (16 threads) for ILGPU's default CPU accelerator.</summary>
internal readonly struct Tile4 : ITile
{
    public int Edge => 4;

    public int Area => 16;
}
