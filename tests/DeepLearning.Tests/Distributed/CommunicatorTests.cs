using DeepLearning.Distributed;

namespace DeepLearning.Tests.Distributed;

public class CommunicatorTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    public static TheoryData<string, bool, int, int> Launches() => new()
    {
        // variables ("NAME=value;…"), uses MPI, rank, size
        { "", false, 0, 1 },
        { "OMPI_COMM_WORLD_RANK=1;OMPI_COMM_WORLD_SIZE=4", true, 1, 4 },
        { "OMPI_COMM_WORLD_RANK=0;OMPI_COMM_WORLD_SIZE=1", true, 0, 1 },
        // mpirun's variables win over a torchrun-style WORLD_SIZE left in the environment.
        { "OMPI_COMM_WORLD_RANK=2;OMPI_COMM_WORLD_SIZE=3;WORLD_SIZE=8;RANK=5", true, 2, 3 },
        { "WORLD_SIZE=1;RANK=0", false, 0, 1 },
        { "WORLD_SIZE=1", false, 0, 1 },
    };

    [Theory]
    [MemberData(nameof(Launches))]
    public void Detect_reads_the_launcher_variables(string variables, bool usesMpi, int rank, int size)
    {
        var launch = Communicator.Detect(Parse(variables));
        Assert.Equal(new Communicator.Launch(usesMpi, rank, size), launch);
    }

    public static TheoryData<string, string> BadLaunches() => new()
    {
        { "OMPI_COMM_WORLD_SIZE=0;OMPI_COMM_WORLD_RANK=0", "OMPI_COMM_WORLD_SIZE='0' is not a world size: expected an integer ≥ 1" },
        { "OMPI_COMM_WORLD_SIZE=two;OMPI_COMM_WORLD_RANK=0", "OMPI_COMM_WORLD_SIZE='two' is not a world size" },
        { "OMPI_COMM_WORLD_SIZE=2", "OMPI_COMM_WORLD_SIZE=2 is set but OMPI_COMM_WORLD_RANK is not" },
        { "OMPI_COMM_WORLD_SIZE=2;OMPI_COMM_WORLD_RANK=2", "OMPI_COMM_WORLD_RANK='2' is not a rank of a world of 2: expected an integer from 0 to 1" },
        { "OMPI_COMM_WORLD_SIZE=2;OMPI_COMM_WORLD_RANK=-1", "OMPI_COMM_WORLD_RANK='-1' is not a rank" },
        { "WORLD_SIZE=-3;RANK=0", "WORLD_SIZE='-3' is not a world size" },
        { "WORLD_SIZE=1;RANK=1", "RANK='1' is not a rank of a world of 1" },
    };

    [Theory]
    [MemberData(nameof(BadLaunches))]
    public void Malformed_launcher_variables_are_named(string variables, string message)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Communicator.Detect(Parse(variables)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Torchrun_style_world_without_mpi_says_how_to_launch()
    {
        var e = Assert.Throws<NotSupportedException>(() => Communicator.Detect(Env(("WORLD_SIZE", "4"), ("RANK", "1"))));
        Assert.Contains("WORLD_SIZE=4 and RANK=1 are set, but no MPI launcher variables (OMPI_COMM_WORLD_SIZE)", e.Message, StringComparison.Ordinal);
        Assert.Contains("mpirun -np 4 dotnet app.dll", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_launcher_the_environment_gives_a_single_process()
    {
        // The test host is not started by mpirun (the MPI jobs of MpiCommunicatorTests are separate processes).
        Skip.If(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null || Environment.GetEnvironmentVariable("WORLD_SIZE") is not null);
        using var comm = Communicator.FromEnvironment();
        Assert.IsType<SingleProcessCommunicator>(comm);
        Assert.Equal((0, 1), (comm.Rank, comm.WorldSize));
    }

    private static Func<string, string?> Parse(string variables) =>
        Env([.. variables.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(v => (v[..v.IndexOf('=', StringComparison.Ordinal)], v[(v.IndexOf('=', StringComparison.Ordinal) + 1)..]))]);
}
