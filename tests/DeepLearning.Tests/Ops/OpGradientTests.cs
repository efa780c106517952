namespace DeepLearning.Tests.Ops;

/// <summary>
/// Finite-difference check of every row of <see cref="OpCases"/>, through the public <see cref="GradientCheck"/>:
/// a non-scalar op is contracted with a fixed random tensor, f = Σ op(x) ⊙ r, so every output element's gradient counts.
/// </summary>
public class OpGradientTests
{
    public static TheoryData<string> Cases => OpCases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_matches_finite_differences(string name)
    {
        var op = OpCases.Get(name);
        using var scope = TensorScope.Begin();
        var inputs = new Tensor[op.Inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var (dims, draw) = op.Inputs[i];
            var shape = new Shape(dims);
            int seed = 1000 + 17 * i + name.Length;
            var values = draw switch
            {
                Draw.Positive => TestData.Positive(shape.Length, seed),
                Draw.Grid => TestData.Grid(shape.Length, seed, offset: false),
                Draw.GridShifted => TestData.Grid(shape.Length, seed, offset: true),
                _ => TestData.AwayFromZero(shape.Length, seed),
            };
            inputs[i] = TestData.Tensor(shape, values);
        }
        var outShape = op.Op(inputs).Shape;
        var r = TestData.Tensor(outShape, TestData.Uniform(outShape.Length, 7, -1.5, 1.5));
        Tensor F() => (op.Op(inputs) * r).Sum();

        var result = GradientCheck.Run(F, inputs, epsilon: 1e-2, tolerance: 2e-2);

        Assert.True(result.Passed, $"{name}: {result}");
        Assert.Equal(inputs.Sum(t => t.Length), result.Checked);
    }
}
