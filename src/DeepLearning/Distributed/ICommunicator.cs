namespace DeepLearning.Distributed;

/// <summary>The reduction an <see cref="ICommunicator.AllReduce(Tensor, ReduceOperation)"/> applies across ranks.</summary>
public enum ReduceOperation
{
    /// <summary>Element-wise sum over all ranks.</summary>
    Sum,

    /// <summary>Element-wise sum over all ranks divided by the world size (gradient averaging).</summary>
    Average,
}

/// <summary>
/// A group of processes (ranks) that exchange tensors: the collective operations data-parallel training needs, over an
/// existing engine (MPI for CPU processes, NCCL for CUDA devices). Every rank must call the same collectives in the same
/// order with tensors of the same shapes; a peer that fails or stops answering makes the others throw instead of hang.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's index in the group, from 0 to <see cref="WorldSize"/> − 1.</summary>
    int Rank { get; }

    /// <summary>The number of processes in the group.</summary>
    int WorldSize { get; }

    /// <summary>The engine in words, for messages and logs (for example "MPI (Open MPI 4.1.4)", "NCCL 2.27", "single process").</summary>
    string Name { get; }

    /// <summary>Replaces <paramref name="tensor"/>'s values, in place, by their reduction over all ranks.</summary>
    void AllReduce(Tensor tensor, ReduceOperation operation);

    /// <summary>Replaces <paramref name="tensor"/>'s values on every rank, in place, by rank <paramref name="root"/>'s.</summary>
    void Broadcast(Tensor tensor, int root);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();
}
