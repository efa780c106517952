using System.Diagnostics;
using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// The CPU backend's helper threads: every part runs exactly once, a part's exception reaches the caller and leaves
/// the pool usable, helpers really take parts, a busy helper or a nested call never blocks a caller, and several
/// user threads splitting GEMMs and long maps at once all get the single-thread results. Runs alone: other tests
/// would keep the helpers busy.
/// </summary>
[Collection(nameof(CpuThreadsCollection))]
public class WorkerPoolTests
{
    // Long enough that a wait on it means a hang, short enough that a failing test still ends.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    /// <summary>Counts, per part, how often it ran; records which threads ran parts.</summary>
    private readonly struct CountParts(int[] counts, int[] threads) : IPartBody
    {
        public void Execute(int part)
        {
            Interlocked.Increment(ref counts[part]);
            threads[part] = Environment.CurrentManagedThreadId;
        }
    }

    public static TheoryData<int, int> PartCounts()
    {
        var data = new TheoryData<int, int>();
        foreach (int parts in new[] { 0, 1, 2, 3, 5, 8, 17, 64, 1000 })
            foreach (int maxThreads in new[] { 1, 2, 3, int.MaxValue })
                data.Add(parts, maxThreads);
        return data;
    }

    [Theory]
    [MemberData(nameof(PartCounts))]
    public void Every_part_runs_exactly_once(int parts, int maxThreads)
    {
        for (int round = 0; round < 20; round++)
        {
            var counts = new int[parts];
            WorkerPool.Run(parts, new CountParts(counts, new int[parts]), maxThreads);
            for (int p = 0; p < parts; p++)
                if (counts[p] != 1) Assert.Fail($"{parts} parts, at most {maxThreads} threads, round {round}: part {p} ran {counts[p]} times");
        }
    }

    /// <summary>
    /// Both parts wait (bounded) until both have started, so when a helper joins, it holds one of them; the part
    /// that runs off the calling thread throws.
    /// </summary>
    private readonly struct ThrowOffCaller(int[] started, int caller, long timeout) : IPartBody
    {
        public void Execute(int part)
        {
            Interlocked.Increment(ref started[0]);
            var clock = Stopwatch.StartNew();
            while (Volatile.Read(ref started[0]) < 2 && clock.ElapsedTicks < timeout) Thread.Sleep(1);
            if (Environment.CurrentManagedThreadId != caller) throw new InvalidOperationException($"part {part} failed on a helper");
        }
    }

    [SkippableFact]
    public void An_exception_on_a_helper_reaches_the_caller_and_the_pool_still_works()
    {
        Skip.If(WorkerPool.HelperCount == 0, "one core: no helper threads");
        // Another test may hold the helpers for a moment: retry until a run had a helper join it.
        InvalidOperationException? caught = null;
        for (int attempt = 0; attempt < 50 && caught is null; attempt++)
        {
            var body = new ThrowOffCaller(new int[1], Environment.CurrentManagedThreadId, Stopwatch.Frequency / 5);
            try
            {
                WorkerPool.Run(2, body);
            }
            catch (InvalidOperationException e)
            {
                caught = e;
            }
        }
        Assert.NotNull(caught);
        Assert.Contains("failed on a helper", caught.Message, StringComparison.Ordinal);
        // The stack trace of the helper's throw survives the rethrow.
        Assert.Contains(nameof(ThrowOffCaller), caught.StackTrace, StringComparison.Ordinal);
        Every_part_runs_exactly_once(64, int.MaxValue);
    }

    private readonly struct ThrowAt(int bad, int[] counts) : IPartBody
    {
        public void Execute(int part)
        {
            Interlocked.Increment(ref counts[part]);
            if (part == bad) throw new ArgumentException($"part {part} is bad");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(63)]
    public void An_exception_of_any_part_is_rethrown_once_and_no_part_runs_twice(int bad)
    {
        var counts = new int[64];
        var e = Assert.Throws<ArgumentException>(() => WorkerPool.Run(64, new ThrowAt(bad, counts)));
        Assert.Equal($"part {bad} is bad", e.Message);
        Assert.Equal(1, counts[bad]);
        Assert.All(counts, c => Assert.InRange(c, 0, 1));
        Every_part_runs_exactly_once(64, int.MaxValue);
    }

    /// <summary>
    /// A part on a helper holds it until released; a part on the caller waits (bounded) for a helper to start the
    /// other one, since otherwise the caller would usually take both parts before the helper wakes.
    /// </summary>
    private readonly struct HoldHelper(int caller, ManualResetEventSlim started, ManualResetEventSlim release) : IPartBody
    {
        public void Execute(int part)
        {
            if (Environment.CurrentManagedThreadId == caller)
            {
                started.Wait(TimeSpan.FromMilliseconds(200));
                return;
            }
            started.Set();
            release.Wait(Hang);
        }
    }

    [SkippableFact]
    public async Task A_caller_finds_the_helpers_busy_and_runs_every_part_itself()
    {
        Skip.If(WorkerPool.HelperCount == 0, "one core: no helper threads");
        using var release = new ManualResetEventSlim();
        var holders = new List<Thread>();
        try
        {
            // Occupy every helper: each holder thread posts to one helper, which then blocks inside its part.
            for (int h = 0; h < WorkerPool.HelperCount; h++)
            {
                bool held = false;
                for (int attempt = 0; attempt < 50 && !held; attempt++)
                {
                    using var started = new ManualResetEventSlim();
                    var holder = new Thread(() => WorkerPool.Run(2, new HoldHelper(Environment.CurrentManagedThreadId, started, release)))
                    {
                        IsBackground = true,
                    };
                    holder.Start();
                    held = started.Wait(TimeSpan.FromSeconds(1));
                    if (held) holders.Add(holder);
                    else holder.Join();
                }
                Assert.True(held, "could not occupy a helper thread");
            }
            var counts = new int[32];
            var threads = new int[32];
            // A TimeoutException here: the caller waited for a busy helper.
            await Task.Run(() => WorkerPool.Run(32, new CountParts(counts, threads))).WaitAsync(Hang);
            Assert.All(counts, c => Assert.Equal(1, c));
            Assert.Single(threads.Distinct());
        }
        finally
        {
            release.Set();
            foreach (var t in holders) t.Join();
        }
    }

    /// <summary>Each outer part makes split calls of its own: a pool call, a long map and a parallel-sized GEMM.</summary>
    private readonly struct Nested(int[][] inner, float[] gemmA, float[] gemmC, DeviceBuffer x, DeviceBuffer y) : IPartBody
    {
        public const int Inner = 16, Len = 1 << 18, Size = 160;

        public void Execute(int part)
        {
            WorkerPool.Run(Inner, new CountParts(inner[part], new int[Inner]));
            Backend.Unary(UnaryOp.MulScalar, part + 2f, x, 0, y, part * Len, Len);
            Sgemm.Multiply(false, false, Size, Size, Size, 1f, gemmA, 0, Size, gemmA, 0, Size, 0f, gemmC, part * Size * Size, Size);
        }
    }

    [Fact]
    public async Task A_split_call_inside_a_part_runs_inline_without_deadlock()
    {
        const int outer = 4;
        var inner = new int[outer][];
        for (int p = 0; p < outer; p++) inner[p] = new int[Nested.Inner];
        var a = TestData.Uniform(Nested.Size * Nested.Size, 3);
        var c = new float[outer * Nested.Size * Nested.Size];
        var xs = TestData.Uniform(Nested.Len, 4);
        var x = With(xs, 0);
        var y = Empty(outer * Nested.Len, 0);
        // A TimeoutException here: the nested calls deadlocked.
        await Task.Run(() => WorkerPool.Run(outer, new Nested(inner, a, c, x, y))).WaitAsync(Hang);
        Assert.All(inner, counts => Assert.All(counts, n => Assert.Equal(1, n)));
        var ys = Read(y, 0, outer * Nested.Len);
        for (int p = 0; p < outer; p++)
            for (int i = 0; i < Nested.Len; i++)
                if (ys[p * Nested.Len + i] != xs[i] * (p + 2f)) Assert.Fail($"part {p}: map element {i} is {ys[p * Nested.Len + i]}, expected {xs[i] * (p + 2f)}");
        var single = new float[Nested.Size * Nested.Size];
        Sgemm.Multiply(false, false, Nested.Size, Nested.Size, Nested.Size, 1f, a, 0, Nested.Size, a, 0, Nested.Size, 0f, single, 0, Nested.Size, 1, PackedGemmWide);
        for (int p = 0; p < outer; p++) Assert.Equal(single, c.AsSpan(p * single.Length, single.Length).ToArray());
        x.Release();
        y.Release();
    }

    /// <summary>Counts its parts and, above level 0, splits each part again with a body of the same type.</summary>
    private readonly struct Recurse(int level, int[] count) : IPartBody
    {
        public void Execute(int part)
        {
            Interlocked.Increment(ref count[0]);
            if (level > 0) WorkerPool.Run(4, new Recurse(level - 1, count));
        }
    }

    [Fact]
    public async Task A_split_call_of_the_same_body_type_inside_a_part_does_not_disturb_the_outer_one()
    {
        // The outer run's job is this thread's cached one for the type: an inner run must not reuse it.
        for (int round = 0; round < 20; round++)
        {
            var count = new int[1];
            await Task.Run(() => WorkerPool.Run(4, new Recurse(2, count))).WaitAsync(Hang);
            Assert.Equal(4 + 16 + 64, count[0]);
        }
    }

    private static bool PackedGemmWide => DeepLearning.Backends.Cpu.Gemm.PackedGemm.WideByDefault;

    [Fact]
    public void Several_user_threads_splitting_at_once_get_the_single_thread_results()
    {
        const int callers = 4, rounds = 8, m = 300, n = 288, k = 256, rows = 600, cols = 500, len = (1 << 18) + 77;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var go = new Barrier(callers);
        // Background threads: a hung caller must not keep the test process alive.
        var threads = Enumerable.Range(0, callers).Select(t => new Thread(() =>
        {
            try
            {
                var a = TestData.Uniform(m * k, 10 + t);
                var b = TestData.Uniform(k * n, 20 + t);
                // The same product with one thread (no split, no helpers): splits agree with it bitwise.
                var single = new float[m * n];
                Sgemm.Multiply(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, single, 0, n, 1, PackedGemmWide);
                var xs = TestData.Uniform(rows * cols, 30 + t);
                var zs = TestData.Uniform(cols, 40 + t);
                var x = With(xs, 0);
                var z = With(zs, 0);
                var y = Empty(rows * cols, 0);
                float alpha = 1.5f + t;
                go.SignalAndWait(Hang);
                for (int r = 0; r < rounds; r++)
                {
                    var c = new float[m * n];
                    Sgemm.Multiply(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                    if (!c.AsSpan().SequenceEqual(single)) failures.Enqueue($"caller {t} round {r}: GEMM differs from one thread's");
                    Backend.Unary(UnaryOp.MulScalar, alpha, x, 0, y, 0, len);
                    var ys = Read(y, 0, len);
                    for (int i = 0; i < len; i++)
                        if (ys[i] != xs[i] * alpha) { failures.Enqueue($"caller {t} round {r}: map element {i} is {ys[i]}, expected {xs[i] * alpha}"); break; }
                    // A row broadcast [rows, cols] + [cols]: the many-row split.
                    Backend.Binary(BinaryOp.Add, x, 0, [cols, 1], z, 0, [0, 1], y, 0, [rows, cols]);
                    ys = Read(y, 0, rows * cols);
                    for (int i = 0; i < rows * cols; i++)
                        if (ys[i] != xs[i] + zs[i % cols]) { failures.Enqueue($"caller {t} round {r}: add element {i} is {ys[i]}, expected {xs[i] + zs[i % cols]}"); break; }
                }
                x.Release();
                z.Release();
                y.Release();
            }
#pragma warning disable CA1031 // Reported through the queue, asserted on the test thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Enqueue($"caller {t}: {e}");
            }
        }) { IsBackground = true }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(Hang), "a caller hung");
        Assert.Empty(failures);
    }
}
