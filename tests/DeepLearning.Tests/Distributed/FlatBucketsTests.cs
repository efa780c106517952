using DeepLearning.Distributed;

namespace DeepLearning.Tests.Distributed;

public class FlatBucketsTests
{
    public static TheoryData<int[], long, bool, string> Plans() => new()
    {
        { [4, 4, 4], 32, false, "0,1|2" },
        { [4, 4, 4], 32, true, "2,1|0" },
        { [4, 20, 4], 32, true, "2|1|0" },           // a tensor over the cap travels alone
        { [1, 2, 3, 4], 1 << 20, true, "3,2,1,0" },
        { [8], 4, false, "0" },
        { [], 32, true, "" },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void Plan_fills_buckets_up_to_the_cap_in_the_order_asked(int[] lengths, long capBytes, bool reverse, string expected)
    {
        var tensors = lengths.Select(n => Tensor.Zeros(n)).ToArray();
        var plan = FlatBuckets.Plan(tensors, capBytes, reverse);
        Assert.Equal(expected, string.Join("|", plan.Select(b => string.Join(",", b))));
    }

    [Fact]
    public void Pack_then_unpack_gives_each_tensor_its_slot()
    {
        var tensors = new[] { Tensor.RandN(new Shape(2, 3), 1), Tensor.RandN(new Shape(4), 2), Tensor.RandN(new Shape(1, 1, 2), 3) };
        int[] bucket = [2, 0];
        var flat = FlatBuckets.Pack(bucket, i => tensors[i], "test");
        Assert.Equal([.. tensors[2].ToArray(), .. tensors[0].ToArray()], flat.ToArray());
        var targets = tensors.Select(t => Tensor.Zeros(t.Shape)).ToArray();
        FlatBuckets.Unpack(flat, bucket, i => targets[i]);
        Assert.Equal(tensors[0].ToArray(), targets[0].ToArray());
        Assert.Equal(tensors[2].ToArray(), targets[2].ToArray());
        Assert.Equal(new float[4], targets[1].ToArray());
    }
}
