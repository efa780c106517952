using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.Cuda.API;

namespace DeepLearning.Backends.Ilgpu;

/// <summary>
/// Row-major GEMM on cuBLAS, on the backend's stream: single products through ILGPU.Algorithms' <see cref="CuBlas"/>,
/// batched ones through <c>cublasSgemmStridedBatched</c> (which ILGPU does not bind) called on the same handle. cuBLAS is
/// column-major; a row-major C = op(A)·op(B) is the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, so A and B swap places and nothing
/// is transposed in memory.
/// </summary>
internal sealed unsafe class CublasGemm : IDisposable
{
    /// <summary>Set to 0 to run products on the backend's own kernel instead (for comparisons and to rule cuBLAS out).</summary>
    public const string Disable = "DEEPLEARNING_CUBLAS";

    private const int TensorOpTf32Math = 3; // CUBLAS_TF32_TENSOR_OP_MATH, absent from ILGPU's CuBlasMathMode enum.

    private readonly CuBlas _blas;
    private readonly CudaAccelerator _accelerator;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, long, IntPtr, int, long, float*, IntPtr, int, long, int, int> _stridedBatched;
    private bool _allowTf32;

    private CublasGemm(CudaAccelerator accelerator, CuBlas blas, IntPtr stridedBatched, string path)
    {
        _accelerator = accelerator;
        _blas = blas;
        Library = path;
        _stridedBatched = (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, long, IntPtr, int, long, float*, IntPtr, int, long, int, int>)stridedBatched;
    }

    /// <summary>The cuBLAS file in use, for messages.</summary>
    public string Library { get; }

    /// <summary>
    /// Opens cuBLAS on <paramref name="accelerator"/> bound to <paramref name="stream"/>, or returns null with the reason
    /// (library not found, or refused) so the backend can fall back to its own kernel and say why.
    /// </summary>
    public static CublasGemm? TryCreate(CudaAccelerator accelerator, AcceleratorStream stream, out string reason)
    {
        NativeLibraries.Register();
        if (Environment.GetEnvironmentVariable(Disable) == "0")
        {
            reason = $"cuBLAS turned off by {Disable}=0";
            return null;
        }
        if (!NativeLibraries.TryLoadCublas(out var library, out var path))
        {
            reason = "cuBLAS not found (libcublas.so.12 or .13 on the library path, in a Python environment's nvidia/*/lib, " +
                     $"or the CUDA toolkit's lib64); install the CUDA toolkit's libcublas or set {NativeLibraries.CublasOverride}";
            return null;
        }
        if (!NativeLibrary.TryGetExport(library, "cublasSgemmStridedBatched", out var stridedBatched))
        {
            reason = $"cuBLAS at {path} lacks cublasSgemmStridedBatched (cuBLAS 8 or later has it)";
            return null;
        }
        try
        {
            // Pinned to ILGPU's V12 binding: the resolver hands it cuBLAS 13 where that is what is installed (the classic
            // API those bindings call is unchanged between 12 and 13).
            var blas = new CuBlas(accelerator, CuBlasAPIVersion.V12) { Stream = (CudaStream)stream, MathMode = CuBlasMathMode.DefaultMath };
            reason = "";
            return new CublasGemm(accelerator, blas, stridedBatched, path);
        }
#pragma warning disable CA1031 // any failure to open cuBLAS (missing export, driver mismatch) falls back to the ILGPU kernel, with its message kept.
        catch (Exception e)
#pragma warning restore CA1031
        {
            reason = $"cuBLAS at {path} could not be opened: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// Whether cuBLAS may use TF32 tensor cores for float32 products (about 10 mantissa bits instead of 23; PyTorch's
    /// <c>torch.backends.cuda.matmul.allow_tf32</c>). Off by default.
    /// </summary>
    public bool AllowTf32
    {
        get => _allowTf32;
        set
        {
            _blas.MathMode = value ? (CuBlasMathMode)TensorOpTf32Math : CuBlasMathMode.DefaultMath;
            _allowTf32 = value;
        }
    }

    /// <summary>C = α·op(A)·op(B) + β·C for <paramref name="batch"/> row-major matrices at the given element strides.</summary>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, long strideA, ArrayView<float> b, int ldb, long strideB,
        float beta, ArrayView<float> c, int ldc, long strideC, int batch)
    {
        var opA = transA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose;
        var opB = transB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose;
        if (batch == 1)
        {
            _blas.Gemm(opB, opA, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);
            return;
        }
        // cuBLAS runs in the current CUDA context: ILGPU's own, which this thread may not have current yet.
        _accelerator.Bind();
        int status = _stridedBatched(_blas.Handle, (int)opB, (int)opA, n, m, k, &alpha,
            b.LoadEffectiveAddressAsPtr(), ldb, strideB, a.LoadEffectiveAddressAsPtr(), lda, strideA,
            &beta, c.LoadEffectiveAddressAsPtr(), ldc, strideC, batch);
        if (status != 0)
            throw new InvalidOperationException(
                $"cublasSgemmStridedBatched failed with status {status} (m={m}, n={n}, k={k}, batch={batch}, library {Library})");
    }

    public void Dispose() => _blas.Dispose();
}
