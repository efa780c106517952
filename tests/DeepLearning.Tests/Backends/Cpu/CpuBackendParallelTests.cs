using DeepLearning.Backends;
using static DeepLearning.Tests.Backends.Cpu.Buffers;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>
/// Maps long enough to be split across cores give exactly what the same kernels give on pieces below the split
/// threshold (the path every short-length test covers): one result whatever the thread count.
/// </summary>
public class CpuBackendParallelTests
{
    private const int Long = 300_017, Piece = 4_096, Offset = 3;

    public static TheoryData<UnaryOp> UnaryOps => new(Enum.GetValues<UnaryOp>());

    public static TheoryData<BinaryOp> BinaryOps => new(Enum.GetValues<BinaryOp>());

    private static float[] Values(int n, int seed, float lo = -3, float hi = 3) => TestData.Uniform(n, seed, lo, hi);

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Long_unary_map_and_backward_match_the_pieces(UnaryOp op)
    {
        var x = With(Values(Long, 1, 0.1f, 3), Offset);
        var dy = With(Values(Long, 2), Offset);
        var whole = Empty(Long, Offset);
        var pieces = Empty(Long, Offset);
        Backend.Unary(op, 0.7f, x, Offset, whole, Offset, Long);
        for (int s = 0; s < Long; s += Piece) Backend.Unary(op, 0.7f, x, Offset + s, pieces, Offset + s, Math.Min(Piece, Long - s));
        AssertSame(pieces, whole, Long, $"{op}");

        var dxWhole = Empty(Long, Offset);
        var dxPieces = Empty(Long, Offset);
        Backend.UnaryBackward(op, 0.7f, x, Offset, whole, Offset, dy, Offset, dxWhole, Offset, Long);
        for (int s = 0; s < Long; s += Piece)
            Backend.UnaryBackward(op, 0.7f, x, Offset + s, whole, Offset + s, dy, Offset + s, dxPieces, Offset + s, Math.Min(Piece, Long - s));
        AssertSame(dxPieces, dxWhole, Long, $"{op} backward");
        foreach (var b in new[] { x, dy, whole, pieces, dxWhole, dxPieces }) b.Release();
    }

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void Long_binary_maps_match_the_pieces(BinaryOp op)
    {
        // Same shape (one coalesced row), a row broadcast (many rows) and a column broadcast, each long enough to split.
        foreach (var (rows, cols, bRows, bCols) in new[] { (1, Long, 1, Long), (1_500, 201, 1, 201), (201, 1_500, 201, 1) })
        {
            int n = rows * cols, nb = bRows * bCols;
            var a = With(Values(n, 3, 0.5f, 2), Offset);
            var b = With(Values(nb, 4, 0.5f, 2), Offset);
            int[] aStrides = [cols, 1], bStrides = [bRows == 1 ? 0 : bCols, bCols == 1 ? 0 : 1];
            var whole = Empty(n, Offset);
            var pieces = Empty(n, Offset);
            Backend.Binary(op, a, Offset, aStrides, b, Offset, bStrides, whole, Offset, [rows, cols]);
            // The pieces: at most Piece elements of one row at a time, far below the threshold.
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c += Piece)
                {
                    int len = Math.Min(Piece, cols - c);
                    int bAt = Offset + (bRows == 1 ? 0 : r) + (bCols == 1 ? 0 : c);
                    Backend.Binary(op, a, Offset + r * cols + c, [1], b, bAt, [bCols == 1 ? 0 : 1], pieces, Offset + r * cols + c, [len]);
                }
            AssertSame(pieces, whole, n, $"{op} [{rows},{cols}] with [{bRows},{bCols}]");
            foreach (var buf in new[] { a, b, whole, pieces }) buf.Release();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Softmax_over_many_rows_matches_row_by_row(bool log)
    {
        // 4_099 rows of 67: split over the cores by rows (and a ragged vector tail in every row).
        const int rows = 4_099, cols = 67, n = rows * cols;
        var x = With(Values(n, 6, -8, 8), Offset);
        var whole = Empty(n, Offset);
        var pieces = Empty(n, Offset);
        Backend.Softmax(x, Offset, whole, Offset, rows, cols, log);
        for (int r = 0; r < rows; r++) Backend.Softmax(x, Offset + r * cols, pieces, Offset + r * cols, 1, cols, log);
        AssertSame(pieces, whole, n, $"softmax(log={log})");

        var dy = With(Values(n, 7), Offset);
        var dxWhole = Empty(n, Offset);
        var dxPieces = Empty(n, Offset);
        Backend.SoftmaxBackward(whole, Offset, dy, Offset, dxWhole, Offset, rows, cols, log);
        for (int r = 0; r < rows; r++)
            Backend.SoftmaxBackward(whole, Offset + r * cols, dy, Offset + r * cols, dxPieces, Offset + r * cols, 1, cols, log);
        AssertSame(dxPieces, dxWhole, n, $"softmax(log={log}) backward");
        foreach (var b in new[] { x, whole, pieces, dy, dxWhole, dxPieces }) b.Release();
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void Batched_small_products_split_over_cores_match_one_at_a_time(bool ta, bool tb)
    {
        // Attention's shape: 128 products of 64×32·32×64, each too small to split, the batch split over the cores.
        const int batch = 128, m = 64, n = 64, k = 32;
        long sa = m * k + 5, sb = k * n + 7, sc = m * n + 3;
        var a = With(Values((int)(batch * sa), 8), Offset);
        var b = With(Values((int)(batch * sb), 9), Offset);
        var whole = With(Values((int)(batch * sc), 10), Offset);
        var pieces = With(Read(whole, Offset, (int)(batch * sc)), Offset);
        int lda = ta ? m : k, ldb = tb ? k : n;
        Backend.Gemm(ta, tb, m, n, k, 0.7f, a, Offset, lda, sa, b, Offset, ldb, sb, 0.5f, whole, Offset, n, sc, batch);
        for (int i = 0; i < batch; i++)
            Backend.Gemm(ta, tb, m, n, k, 0.7f, a, Offset + (int)(i * sa), lda, 0, b, Offset + (int)(i * sb), ldb, 0,
                0.5f, pieces, Offset + (int)(i * sc), n, 0, 1);
        AssertSame(pieces, whole, (int)(batch * sc), $"batched GEMM ta={ta} tb={tb}");
        foreach (var buf in new[] { a, b, whole, pieces }) buf.Release();
    }

    private static void AssertSame(DeviceBuffer expected, DeviceBuffer actual, int n, string what)
    {
        var e = Read(expected, 0, n + Offset);
        var a = Read(actual, 0, n + Offset);
        for (int i = 0; i < e.Length; i++)
            if (!(e[i] == a[i] || (float.IsNaN(e[i]) && float.IsNaN(a[i]))))
                Assert.Fail($"{what}: element {i - Offset} is {a[i]:G9} split across cores, {e[i]:G9} in pieces");
    }

    [Theory]
    [InlineData(131_073)]
    [InlineData(196_609)]
    [InlineData(262_147)]
    public void Long_maps_write_every_element_whatever_the_chunking(int n)
    {
        // Lengths whose per-core share is a multiple of 64 plus a remainder: the chunks must still cover the tail.
        var x = With(Values(n, 5), Offset);
        var y = Empty(n, Offset);
        Backend.Unary(UnaryOp.Neg, 0f, x, Offset, y, Offset, n);
        var xs = Read(x, Offset, n);
        var ys = Read(y, Offset, n);
        for (int i = 0; i < n; i++)
            if (ys[i] != -xs[i]) Assert.Fail($"Neg of {n}: element {i} is {ys[i]}, expected {-xs[i]}");
        AssertGuards(y, Offset, n, $"Neg of {n}");
        x.Release();
        y.Release();
    }
}
