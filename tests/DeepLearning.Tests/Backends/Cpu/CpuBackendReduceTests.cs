using DeepLearning.Backends;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>Reductions and ArgMax against double references: every axis length 0..256, contiguous and strided, at offsets.</summary>
public class CpuBackendReduceTests
{
    public static TheoryData<ReduceOp, int, int> Layouts
    {
        get
        {
            var data = new TheoryData<ReduceOp, int, int>();
            foreach (var op in Enum.GetValues<ReduceOp>())
                foreach (var (outer, inner) in new[] { (1, 1), (3, 1), (2, 3), (1, 17) })
                    data.Add(op, outer, inner);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Reduce_matches_reference(ReduceOp op, int outer, int inner)
    {
        for (int axis = 0; axis <= 256; axis++)
        {
            int off = axis % 4, yo = (axis + 1) % 4;
            var x = TestData.Uniform(outer * axis * inner, axis, -2, 2);
            var xb = With(x, off);
            var yb = Empty(outer * inner, yo);
            Backend.Reduce(op, xb, off, outer, axis, inner, yb, yo);
            var y = Read(yb, yo, outer * inner);
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    double sum = 0, abs = 0, max = double.NegativeInfinity, min = double.PositiveInfinity;
                    for (int j = 0; j < axis; j++)
                    {
                        double v = x[(o * axis + j) * inner + i];
                        sum += v;
                        abs += Math.Abs(v);
                        max = Math.Max(max, v);
                        min = Math.Min(min, v);
                    }
                    double expected = axis == 0
                        ? op == ReduceOp.Sum ? 0 : double.NaN
                        : op switch { ReduceOp.Sum => sum, ReduceOp.Mean => sum / axis, ReduceOp.Max => max, _ => min };
                    // A float sum's error grows with Σ|x|, not with the (possibly cancelling) result.
                    double tol = op switch { ReduceOp.Sum => 1e-6 * abs, ReduceOp.Mean => 1e-6 * abs / Math.Max(1, axis), _ => 0 };
                    AssertNear(expected, y[o * inner + i], 1e-6, tol + 1e-7, $"{op} [{outer},{axis},{inner}] at [{o},{i}]");
                }
            AssertGuards(yb, yo, outer * inner, $"{op} [{outer},{axis},{inner}]");
            xb.Release();
            yb.Release();
        }
    }

    [Fact]
    public void Reduce_propagates_NaN()
    {
        foreach (var op in Enum.GetValues<ReduceOp>())
            foreach (var (outer, axis, inner) in new[] { (1, 37, 1), (2, 5, 19) })
            {
                var x = TestData.Uniform(outer * axis * inner, 1);
                x[axis / 2 * inner] = float.NaN; // row 0, column 0
                var xb = With(x, 0);
                var yb = Empty(outer * inner, 0);
                Backend.Reduce(op, xb, 0, outer, axis, inner, yb, 0);
                var y = Read(yb, 0, outer * inner);
                Assert.True(float.IsNaN(y[0]), $"{op} over a NaN gave {y[0]}");
                if (y.Length > 1) Assert.False(float.IsNaN(y[1]), $"{op}: NaN leaked into another column");
                xb.Release();
                yb.Release();
            }
    }

    [Fact]
    public void ArgMax_finds_first_maximum()
    {
        // [2, 4, 2]: for each (o, i) the maximum along the 4-long axis; ties pick the first.
        float[] x =
        [
            1, 9,   5, 9,   5, 0,   2, 1,
            0, 0,   0, 3,   7, 3,   7, 2,
        ];
        var xb = With(x, 3);
        var yb = Empty(4, 1);
        Backend.ArgMax(xb, 3, 2, 4, 2, yb, 1);
        Assert.Equal([1f, 0, 2, 1], Read(yb, 1, 4));
        Backend.ArgMax(xb, 3, 1, 16, 1, yb, 1);
        Assert.Equal(1f, Read(yb, 1, 1)[0]);
        xb.Release();
        yb.Release();
    }
}
