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

    private static long Count(bool allThreads) =>
        allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
}
