using DeepLearning.Distributed;
using static DeepLearning.Activations;

namespace DeepLearning.Tests.Distributed;

public class ModelAgreementTests
{
    private static Chain Mlp() => new(new Dense(6, 16, Relu), new BatchNorm(16), new Dense(16, 3));

    public static TheoryData<string, string[]> Mismatches() => new()
    {
        { "wider", ["entry 0", "rank 0 has parameter '0.weight' [16,6]", "rank 2 has parameter '0.weight' [12,6]"] },
        { "deeper", ["entry 6", "rank 0 has buffer '1.running_mean' [16]", "rank 2 has parameter '3.weight' [3,3]"] },
        { "no buffers", ["entry 6", "rank 0 has buffer '1.running_mean' [16]", "rank 2 has no entry 6"] },
        { "reordered", ["entry 0", "rank 0 has parameter '0.weight' [16,6]", "rank 2 has parameter '0.weight' [3,16]"] },
    };

    // Rank 1 agrees with rank 0; rank 2 differs: every rank, the agreeing ones too, throws the same message.
    [Theory]
    [MemberData(nameof(Mismatches))]
    public void Different_models_are_refused_on_every_rank_naming_the_first_difference(string change, string[] expected)
    {
        var messages = ThreadGroup.Run(3, comm =>
        {
            Layer model = comm.Rank < 2 ? Mlp() : change switch
            {
                "wider" => new Chain(new Dense(6, 12, Relu), new BatchNorm(12), new Dense(12, 3)),
                "deeper" => new Chain(new Dense(6, 16, Relu), new BatchNorm(16), new Dense(16, 3), new Dense(3, 3)),
                "no buffers" => new Chain(new Dense(6, 16, Relu), new LayerNorm(16), new Dense(16, 3)),
                _ => new Chain(new Dense(16, 3), new BatchNorm(16), new Dense(6, 16, Relu)),
            };
            var e = Assert.Throws<InvalidOperationException>(() => ModelAgreement.Verify(model, comm, Device.Cpu, "DataParallel"));
            return e.Message;
        });
        Assert.Equal(messages[0], messages[1]);
        Assert.Equal(messages[0], messages[2]);
        foreach (var part in expected) Assert.Contains(part, messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_models_pass_with_one_broadcast_each_way_and_an_all_reduce()
    {
        var calls = ThreadGroup.Run(4, comm =>
        {
            var model = new Chain(new Dense(6, 16, Relu, seed: (ulong)comm.Rank), new BatchNorm(16), new Dense(16, 3));
            ModelAgreement.Verify(model, comm, Device.Cpu, "DataParallel");
            return comm.Calls;
        });
        Assert.All(calls, c => Assert.Equal(3, c));
    }

    [Fact]
    public void Long_names_and_large_dimensions_travel_exactly()
    {
        var messages = ThreadGroup.Run(2, comm =>
        {
            var model = new Chain(new Embedding(comm.Rank == 0 ? 100_000 : 70_000, 2));
            return Assert.Throws<InvalidOperationException>(() => ModelAgreement.Verify(model, comm, Device.Cpu, "DataParallel")).Message;
        });
        Assert.Contains("[100000,2]", messages[0], StringComparison.Ordinal);
        Assert.Contains("[70000,2]", messages[0], StringComparison.Ordinal);
    }
}
