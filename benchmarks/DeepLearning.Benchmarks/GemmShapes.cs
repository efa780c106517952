namespace DeepLearning.Benchmarks;

/// <summary>One GEMM case: C[m,n] = op(A)·op(B) with op(A) m×k and op(B) k×n, row-major.</summary>
public sealed record GemmCase(string Name, bool TransA, bool TransB, int M, int N, int K)
{
    /// <summary>Floating-point operations of one product (a multiply-add counts two).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>
    /// The shapes both benchmarks use (and benchmarks/compare/gemm.py mirrors by name): square NN, the
    /// forward/backward products of an MLP 784-512-256-10 at batch 128, and all transpose combinations at 1024.
    /// </summary>
    public static readonly GemmCase[] All =
    [
        new("nn256", false, false, 256, 256, 256),
        new("nn512", false, false, 512, 512, 512),
        new("nn1024", false, false, 1024, 1024, 1024),
        new("nn2048", false, false, 2048, 2048, 2048),
        new("nt1024", false, true, 1024, 1024, 1024),
        new("tn1024", true, false, 1024, 1024, 1024),
        new("tt1024", true, true, 1024, 1024, 1024),
        // Dense(784 => 512) at batch 128: Y = X·Wᵀ, dW = dYᵀ·X, dX = dY·W.
        new("mlp1_fwd", false, true, 128, 512, 784),
        new("mlp1_dW", true, false, 512, 784, 128),
        new("mlp1_dX", false, false, 128, 784, 512),
        // Dense(512 => 256).
        new("mlp2_fwd", false, true, 128, 256, 512),
        new("mlp2_dW", true, false, 256, 512, 128),
        new("mlp2_dX", false, false, 128, 512, 256),
        // Inference of the same MLP at batch 1024: Y = X·Wᵀ of Dense(784 => 512) and Dense(512 => 256).
        new("inf1_fwd", false, true, 1024, 512, 784),
        new("inf2_fwd", false, true, 1024, 256, 512),
        // The tiny end: one step of a 10-10-10 MLP at batch 1.
        new("tiny_1x10x10", false, true, 1, 10, 10),
    ];
}
