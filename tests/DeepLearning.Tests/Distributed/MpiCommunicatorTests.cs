using System.Diagnostics;
using DeepLearning.Distributed;

namespace DeepLearning.Tests.Distributed;

/// <summary>
/// MPI jobs of the test program tests/DeepLearning.Mpi.Tests, run with <c>mpirun --oversubscribe -np N</c> as their own
/// processes: each rank checks its results and prints one line per check. Skipped where <c>mpirun</c> or Open MPI's
/// <c>libmpi.so.40</c> is absent (.ci/run installs both). One class, so the jobs run one after another.
/// </summary>
[Collection(nameof(MpiJobs))]
public class MpiCommunicatorTests
{
    [SkippableFact]
    public void Collectives_give_each_rank_the_values_it_computes_locally()
    {
        var dir = Directory.CreateTempSubdirectory("dl-mpi-").FullName;
        try
        {
            var (exit, output) = MpiJob.Run(2, "collectives", dir);
            Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
            foreach (int rank in new[] { 0, 1 })
            {
                foreach (var check in new[] { "kind", "rank-size", "null-reference", "allreduce-Sum-1", "allreduce-Average-7", "allreduce-Sum-1048576",
                    "allreduce-Average-1048576", "allreduce-view", "broadcast", "allreduce-device", "broadcast-device", "barrier",
                    "bad-root", "bad-timeout", "second-communicator", "disposed", "after-finalize" })
                    Assert.Contains($"rank {rank}: ok {check}\n", output, StringComparison.Ordinal);
                Assert.Contains($"rank {rank}: done, 0 failures", output, StringComparison.Ordinal);
            }
            Assert.Equal(0, exit);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public void Data_parallel_training_over_mpi_equals_one_process_on_the_concatenated_batches()
    {
        // Each rank trains the one-process reference itself and compares (see the dataparallel case for what each check means).
        var dir = Directory.CreateTempSubdirectory("dl-mpi-").FullName;
        try
        {
            var (exit, output) = MpiJob.Run(2, "dataparallel", dir);
            Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
            foreach (int rank in new[] { 0, 1 })
            {
                foreach (var check in new[] { "different-models", "dp-equals-one-process", "dp-trained", "dp-ranks-identical", "fit-same-history", "fit-equals-one-process" })
                    Assert.Contains($"rank {rank}: ok {check}\n", output, StringComparison.Ordinal);
                Assert.Contains($"rank {rank}: done, 0 failures", output, StringComparison.Ordinal);
            }
            // Both ranks throw the same message, naming the first differing parameter, its shape on each rank and the rank.
            const string Mismatch = "DataParallel: the models differ between ranks at entry 2 of the parameters then buffers (in NamedParameters, NamedBuffers order): "
                + "rank 0 has parameter '1.weight' [16,32], rank 1 has parameter '1.weight' [15,32]; every rank must build the same model";
            Assert.Equal(Mismatch, File.ReadAllText(Path.Combine(dir, "message.0")));
            Assert.Equal(Mismatch, File.ReadAllText(Path.Combine(dir, "message.1")));
            Assert.Equal(0, exit);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public void A_hung_rank_is_named_by_the_others_and_the_job_ends()
    {
        // Three ranks: rank 1 never joins; ranks 0 and 2 wait 3 s, ask around, and name rank 1 only (each answers the other).
        var dir = Directory.CreateTempSubdirectory("dl-mpi-").FullName;
        var (exit, output) = MpiJob.Run(3, "timeout", dir);
        Directory.Delete(dir, recursive: true);
        foreach (int rank in new[] { 0, 2 })
        {
            Assert.Contains($"rank {rank}: timeout MPI rank {rank}: AllReduce (collective #2 of this communicator) did not complete within 3 s: rank 1 did not answer", output, StringComparison.Ordinal);
            Assert.Contains($"rank {rank}: unresponsive [1]", output, StringComparison.Ordinal);
            Assert.Contains($"rank {rank}: faulted MPI rank {rank}: Barrier on a faulted communicator", output, StringComparison.Ordinal);
        }
        // Open MPI's own "MPI_ABORT was invoked" notice is sometimes lost as the job is torn down; this line is ours.
        Assert.Matches(@"MPI rank [02]: aborting the job after a failed collective \(MPI rank [02]: AllReduce", output);
        Assert.NotEqual(0, exit);
    }

    [SkippableFact]
    public void An_unhandled_exception_on_one_rank_aborts_the_job()
    {
        // Rank 0 would wait 60 s in its all-reduce; the abort from rank 1's unhandled-exception hook ends it first.
        var (exit, output) = MpiJob.Run(2, "throw");
        Assert.Contains("MPI rank 1: unhandled exception; aborting the job (MPI_Abort)", output, StringComparison.Ordinal);
        Assert.Contains("deliberate failure on rank 1", output, StringComparison.Ordinal);
        Assert.DoesNotContain("completed the all-reduce", output, StringComparison.Ordinal);
        Assert.NotEqual(0, exit);
    }

    [SkippableFact]
    public void A_killed_rank_makes_mpirun_end_the_job()
    {
        var (exit, output) = MpiJob.Run(2, "kill");
        Assert.Contains("rank 1: killing itself", output, StringComparison.Ordinal);
        // mpirun says so ("exited on signal 9 (Killed)") and exits with 128 + 9.
        Assert.True(output.Contains("exited on signal 9", StringComparison.Ordinal) || exit == 137, $"exit {exit}:\n{output}");
        Assert.DoesNotContain("completed the all-reduce", output, StringComparison.Ordinal);
        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void Missing_library_names_it_and_the_packages_to_install()
    {
        var saved = Environment.GetEnvironmentVariable(MpiLibrary.OverrideVariable);
        Environment.SetEnvironmentVariable(MpiLibrary.OverrideVariable, "/nonexistent/libmpi.so.40");
        try
        {
            Assert.Equal(new[] { "/nonexistent/libmpi.so.40" }, MpiLibrary.Candidates());
            var e = Assert.Throws<DllNotFoundException>(() => new MpiCommunicator());
            Assert.Contains("libmpi.so.40", e.Message, StringComparison.Ordinal);
            Assert.Contains("/nonexistent/libmpi.so.40:", e.Message, StringComparison.Ordinal);
            Assert.Contains("apt-get install libopenmpi3 openmpi-bin", e.Message, StringComparison.Ordinal);
            Assert.Contains(MpiLibrary.OverrideVariable, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(MpiLibrary.OverrideVariable, saved);
        }
    }

    [Fact]
    public void Library_that_is_not_open_mpi_is_refused_by_name()
    {
        var saved = Environment.GetEnvironmentVariable(MpiLibrary.OverrideVariable);
        Environment.SetEnvironmentVariable(MpiLibrary.OverrideVariable, "libc.so.6");
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() => new MpiCommunicator());
            Assert.Contains("libc.so.6: loaded, but it is not Open MPI", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(MpiLibrary.OverrideVariable, saved);
        }
    }

    [Fact]
    public void Standard_candidates_start_with_the_soname()
    {
        var saved = Environment.GetEnvironmentVariable(MpiLibrary.OverrideVariable);
        Environment.SetEnvironmentVariable(MpiLibrary.OverrideVariable, null);
        try
        {
            Assert.Equal(MpiLibrary.LibraryName, MpiLibrary.Candidates().First());
        }
        finally
        {
            Environment.SetEnvironmentVariable(MpiLibrary.OverrideVariable, saved);
        }
    }
}

[CollectionDefinition(nameof(MpiJobs), DisableParallelization = true)]
public sealed class MpiJobs;

/// <summary>Runs the MPI test program under <c>mpirun</c> and returns its exit code and combined output.</summary>
internal static class MpiJob
{
    // Each job takes seconds; past this it is hung, and the whole process tree is killed so the suite goes on.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    public static (int Exit, string Output) Run(int ranks, string testCase, string? dir = null)
    {
        var mpirun = FindOnPath("mpirun");
        Skip.If(mpirun is null, "mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi3) to run the MPI tests");
        Skip.IfNot(File.Exists("/usr/lib/x86_64-linux-gnu/libmpi.so.40") || File.Exists("/usr/lib/aarch64-linux-gnu/libmpi.so.40")
            || Environment.GetEnvironmentVariable(MpiLibrary.OverrideVariable) is { Length: > 0 },
            "libmpi.so.40 not found: install libopenmpi3 to run the MPI tests");
        var worker = WorkerPath();
        Assert.True(File.Exists(worker), $"the MPI test program was not built: {worker}");
        var start = new ProcessStartInfo(mpirun!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--oversubscribe", "--allow-run-as-root", "--bind-to", "none", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            DotnetHost(), worker, testCase, dir ?? Path.GetTempPath() })
            start.ArgumentList.Add(a);
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["TERM"] = "dumb";
        // Shared-memory transport without its single-copy (CMA) path, which containers without CAP_SYS_PTRACE refuse.
        start.Environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
        start.Environment.Remove("WORLD_SIZE");
        start.Environment.Remove("RANK");
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var lockObj = new object();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (lockObj) output.Append(e.Data).Append('\n');
        }
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(HangGuard))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"mpirun -np {ranks} {testCase} did not end within {HangGuard.TotalSeconds} s (a hang). Output:\n{output}");
        }
        process.WaitForExit();
        lock (lockObj) return (process.ExitCode, output.ToString());
    }

    private static string WorkerPath()
    {
        // Built beside this assembly's configuration: tests/DeepLearning.Tests/bin/<config>/<tfm>/ → tests/DeepLearning.Mpi.Tests/bin/<config>/<tfm>/.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory);
        return Path.Combine(ArchitectureTests.RepositoryRoot(), "tests", "DeepLearning.Mpi.Tests", "bin", tfm.Parent!.Name, tfm.Name, "DeepLearning.Mpi.Tests.dll");
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return FindOnPath("dotnet") ?? "dotnet";
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
