namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// Tests of process-wide state, the CPU backend's helper threads and the allocation counter: they run alone, after
/// the parallel tests, so no other test holds the helpers or allocates meanwhile.
/// </summary>
[CollectionDefinition(nameof(CpuThreadsCollection), DisableParallelization = true)]
public sealed class CpuThreadsCollection;
