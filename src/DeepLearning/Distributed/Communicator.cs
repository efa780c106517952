using System.Globalization;

namespace DeepLearning.Distributed;

/// <summary>
/// Starting a process group from the launcher's environment, PyTorch's <c>init_process_group(init_method="env://")</c>:
/// the same program runs alone or under <c>mpirun</c> without changes.
/// </summary>
public static class Communicator
{
    /// <summary>
    /// The group this process was launched into: under Open MPI's <c>mpirun -np N dotnet app.dll</c>
    /// (<c>OMPI_COMM_WORLD_RANK</c>/<c>OMPI_COMM_WORLD_SIZE</c> set) an <see cref="MpiCommunicator"/>; otherwise a
    /// <see cref="SingleProcessCommunicator"/> (world size 1, no communication). <c>RANK</c>/<c>WORLD_SIZE</c> of other
    /// launchers (torchrun) are accepted with a world size of 1 only: their processes find each other through a TCP
    /// store this library does not implement, so a larger world must be started with <c>mpirun</c>.
    /// </summary>
    /// <param name="timeout">How long a collective waits for the other ranks before it throws naming them (default 5 minutes).</param>
    /// <returns>The communicator; dispose it at the end of the program (that finalizes MPI).</returns>
    /// <exception cref="InvalidOperationException">The launcher's variables are malformed (not integers, world size &lt; 1,
    /// rank outside 0 … size − 1).</exception>
    /// <exception cref="NotSupportedException"><c>WORLD_SIZE</c> &gt; 1 without an MPI launcher.</exception>
    /// <exception cref="DllNotFoundException">Launched by <c>mpirun</c> but <c>libmpi.so.40</c> cannot be loaded.</exception>
    public static ICommunicator FromEnvironment(TimeSpan? timeout = null)
    {
        var launch = Detect(Environment.GetEnvironmentVariable);
        return launch.UsesMpi ? new MpiCommunicator(timeout) : new SingleProcessCommunicator();
    }

    /// <summary>What the environment says about the launch: MPI or a single process, with the rank and size it announces.</summary>
    internal readonly record struct Launch(bool UsesMpi, int Rank, int WorldSize);

    /// <summary>Reads and checks the launcher variables through <paramref name="variable"/> (the environment, or a test's table).</summary>
    internal static Launch Detect(Func<string, string?> variable)
    {
        if (variable("OMPI_COMM_WORLD_SIZE") is { } ompiSize)
        {
            var (rank, size) = Parse(variable, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", ompiSize);
            return new Launch(true, rank, size);
        }
        if (variable("WORLD_SIZE") is { } worldSize)
        {
            var (rank, size) = Parse(variable, "RANK", "WORLD_SIZE", worldSize);
            if (size > 1)
                throw new NotSupportedException(
                    $"WORLD_SIZE={size} and RANK={rank} are set, but no MPI launcher variables (OMPI_COMM_WORLD_SIZE): this library " +
                    "connects processes through MPI only (and NCCL bootstrapped by MPI), not through the TCP store of launchers such " +
                    $"as torchrun. Start the job with Open MPI: mpirun -np {size} dotnet app.dll (on a cluster, with a host file: " +
                    "mpirun --hostfile hosts -np N ...); a world size of 1 runs without a launcher.");
            return new Launch(false, rank, size);
        }
        return new Launch(false, 0, 1);
    }

    private static (int Rank, int Size) Parse(Func<string, string?> variable, string rankName, string sizeName, string sizeText)
    {
        if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size < 1)
            throw new InvalidOperationException($"{sizeName}='{sizeText}' is not a world size: expected an integer ≥ 1");
        string? rankText = variable(rankName);
        if (rankText is null)
        {
            if (size == 1) return (0, 1);
            throw new InvalidOperationException($"{sizeName}={size} is set but {rankName} is not: the launcher must set both");
        }
        if (!int.TryParse(rankText, NumberStyles.None, CultureInfo.InvariantCulture, out int rank) || rank >= size)
            throw new InvalidOperationException($"{rankName}='{rankText}' is not a rank of a world of {size}: expected an integer from 0 to {size - 1}");
        return (rank, size);
    }
}
