using DeepLearning.Backends.Cpu;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>The short-run copies against plain loops at every length 0..70 and several offsets, guard cells either side.</summary>
public unsafe class LanesTests
{
    private const float Guard = -7.5f;

    public static TheoryData<string> Operations => new(["copy", "zero", "add", "bias", "bias relu", "relu gate"]);

    [Theory]
    [MemberData(nameof(Operations))]
    public void Matches_a_plain_loop_at_every_length_and_offset(string op)
    {
        var s = TestData.Uniform(80, 1);
        var start = TestData.Uniform(80, 2);
        for (int n = 0; n <= 70; n++)
            foreach (int offset in new[] { 0, 1, 3, 7 })
            {
                var d = Enumerable.Repeat(Guard, 80 + 2).ToArray();
                Array.Copy(start, 0, d, offset, n);
                var want = (float[])d.Clone();
                for (int q = 0; q < n; q++)
                {
                    float v = s[q + 1] + 0.25f;
                    want[offset + q] = op switch
                    {
                        "copy" => s[q + 1],
                        "zero" => 0f,
                        "add" => d[offset + q] + s[q + 1],
                        "bias" => v,
                        "relu gate" => start[q + 3] > 0f ? s[q + 1] : 0f,
                        _ => Math.Max(v, 0f),
                    };
                }
                fixed (float* pd = d, ps = s, pg = start)
                {
                    float* dst = pd + offset, src = ps + 1;
                    switch (op)
                    {
                        case "copy": Lanes.Copy(dst, src, n); break;
                        case "zero": Lanes.Zero(dst, n); break;
                        case "add": Lanes.Add(dst, src, n); break;
                        case "relu gate": Lanes.ReluGate(dst, src, pg + 3, n); break;
                        default: Lanes.BiasRelu(dst, src, n, 0.25f, op == "bias relu"); break;
                    }
                }
                Assert.True(want.AsSpan().SequenceEqual(d), $"{op}: length {n}, offset {offset}");
            }
    }
}
