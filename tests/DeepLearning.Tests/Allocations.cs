namespace DeepLearning.Tests;

/// <summary>Counts what code allocates, for the tests that a steady state allocates nothing.</summary>
internal static class Allocations
{
    /// <summary>
    /// The fewest bytes <paramref name="run"/> allocated over <paramref name="tries"/> runs, after
    /// <paramref name="warmUp"/> runs: the steady state, without one-off allocations (the JIT recompiling hot methods,
    /// the test runner's own threads when <paramref name="allThreads"/> counts them too).
    /// </summary>
    public static long Least(Action run, int warmUp, int tries, bool allThreads)
    {
        for (int i = 0; i < warmUp; i++) run();
        long least = long.MaxValue;
        for (int i = 0; i < tries; i++)
        {
            long before = Count(allThreads);
            run();
            least = Math.Min(least, Count(allThreads) - before);
        }
        return least;
    }

    /// <summary>
    /// After a warm-up run (which may fill the pool), runs of <paramref name="run"/> (<paramref name="steps"/> training
    /// steps) take no array from outside the CPU backend's pool, and the least of <paramref name="tries"/> allocates at
    /// most <paramref name="bytesPerStep"/> a step and <paramref name="extra"/> bytes on the calling thread.
    /// </summary>
    public static void AssertSteady(string what, int steps, long bytesPerStep, Action run, int tries = 5, long extra = 0)
    {
        run();
        long before = DeepLearning.Backends.Cpu.CpuBackend.Instance.PoolMisses;
        long bytes = Least(run, warmUp: 0, tries, allThreads: false);
        long misses = DeepLearning.Backends.Cpu.CpuBackend.Instance.PoolMisses - before;
        Assert.True(misses == 0, $"{what}: the buffer pool allocated {misses} arrays in steady state");
        Assert.True(bytes <= steps * bytesPerStep + extra, $"{what}: {bytes} bytes allocated in {steps} steps (budget {bytesPerStep} per step)");
    }

    private static long Count(bool allThreads) =>
        allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
}
