using DeepLearning.Backends;
using static DeepLearning.Gpu.Tests.Backends.Ilgpu.TestDevices;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>
/// Embedding lookup and scatter-add (exact: the same sums in the same order), layer norm (rel. 1e-4) and the LSTM/GRU
/// cells (rel. 1e-5) against the CPU, with offsets, row strides wider than the rows, and the documented aliasing.
/// </summary>
public class IlgpuBackendSequenceTests
{
    // A run, a repeat far apart, a repeat adjacent, the first and last rows.
    private static readonly float[] Ids = [3, 0, 5, 3, 1, 1, 6, 3, 2];

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void EmbeddingLookup_is_identical_to_the_cpu(string device)
    {
        const int vocab = 7, dim = 5;
        var (cpu, gpu) = Both(Backend(device), [Random(vocab * dim + 2, 80), [0.5f, .. Ids]], Random(Ids.Length * dim + 3, 81),
            (b, i, o) => b.EmbeddingLookup(i[0], 2, vocab, dim, i[1], 1, Ids.Length, o, 3));
        Assert.Equal(cpu, gpu);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void EmbeddingBackward_sums_repeated_ids_as_the_cpu_does(string device)
    {
        const int vocab = 8, dim = 6; // row 4 and row 7 are never used: they must be zeroed, not left as they were
        var (cpu, gpu) = Both(Backend(device), [Random(Ids.Length * dim + 1, 82), [.. Ids, 9f]], Random(vocab * dim + 4, 83),
            (b, i, o) => b.EmbeddingBackward(i[0], 1, i[1], 0, Ids.Length, o, 2, vocab, dim));
        Assert.Equal(cpu, gpu);
        Assert.Equal(0f, gpu[2 + 4 * dim]);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void Invalid_embedding_ids_give_zero_rows_no_gradient_and_throw_at_the_next_download(string device)
    {
        const int vocab = 4, dim = 3;
        var gpu = Backend(device);
        float[] ids = [1, 2.5f, -1, vocab, float.NaN, 1];
        var table = Upload(gpu, Random(vocab * dim, 84));
        var idx = Upload(gpu, ids);
        var y = Upload(gpu, Random(ids.Length * dim, 85));
        gpu.EmbeddingLookup(table, 0, vocab, dim, idx, 0, ids.Length, y, 0);
        var got = new float[ids.Length * dim];
        // The first bad position is reported, once; the download itself has completed.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => gpu.Download(y, 0, got));
        Assert.Contains("index 2.5 at position 1 is outside the vocabulary of size 4", e.Message, StringComparison.Ordinal);
        gpu.Download(y, 0, got);
        for (int r = 1; r <= 4; r++)
            Assert.Equal(new float[dim], got[(r * dim)..((r + 1) * dim)]);

        var dy = Random(ids.Length * dim, 86);
        var dyBuf = Upload(gpu, dy);
        gpu.EmbeddingBackward(dyBuf, 0, idx, 0, ids.Length, table, 0, vocab, dim);
        var dTable = new float[vocab * dim];
        gpu.Download(table, 0, dTable);
        for (int j = 0; j < dim; j++)
        {
            Assert.Equal(dy[j] + dy[5 * dim + j], dTable[dim + j]);
            Assert.Equal(0f, dTable[j]);
            Assert.Equal(0f, dTable[2 * dim + j]);
        }
        foreach (var b in new[] { table, idx, y, dyBuf }) b.Release();
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(TestDevices))]
    public void The_first_bad_lookup_since_the_last_synchronisation_is_the_one_reported(string device)
    {
        const int dim = 2;
        var gpu = Backend(device);
        var table = Upload(gpu, Random(10 * dim, 87));
        var good = Upload(gpu, [0, 9, 3]);
        var badSmall = Upload(gpu, [1, 7, 5]);   // 7 and 5 are outside a vocabulary of 5: position 1
        var badLarge = Upload(gpu, [-2, 0, 0]);
        var y = gpu.Allocate(3 * dim);
        gpu.EmbeddingLookup(table, 0, 10, dim, good, 0, 3, y, 0);
        gpu.Synchronize();
        gpu.EmbeddingLookup(table, 0, 5, dim, badSmall, 0, 3, y, 0);
        gpu.EmbeddingLookup(table, 0, 10, dim, badLarge, 0, 3, y, 0);
        var e = Assert.Throws<ArgumentOutOfRangeException>(gpu.Synchronize);
        Assert.Contains("index 7 at position 1 is outside the vocabulary of size 5", e.Message, StringComparison.Ordinal);
        // Reported once: the second bad lookup's record was not kept over the first.
        gpu.Synchronize();
        gpu.EmbeddingLookup(table, 0, 10, dim, badLarge, 0, 3, y, 0);
        var again = Assert.Throws<ArgumentOutOfRangeException>(gpu.Synchronize);
        Assert.Contains("index -2 at position 0 is outside the vocabulary of size 10", again.Message, StringComparison.Ordinal);
        foreach (var b in new[] { table, good, badSmall, badLarge, y }) b.Release();
    }

    private static DeviceBuffer Upload(IBackend b, float[] data)
    {
        var buf = b.Allocate(data.Length);
        b.Upload(data, buf, 0);
        return buf;
    }

    public static TheoryData<string, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var d in Names)
        {
            data.Add(d, 3, 5);
            data.Add(d, 1, 1);
            data.Add(d, 4, 17);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LayerNorm_matches_the_cpu(string device, int rows, int cols)
    {
        // A large mean: a one-pass variance would lose it.
        var x = Random(rows * cols + 1, 87, 48f, 52f);
        // [y | mean | rstd], pre-filled.
        var (cpu, gpu) = Both(Backend(device), [x, Random(cols, 88), Random(cols + 1, 89)], Random(rows * cols + 2 * rows + 2, 90),
            (b, i, o) => b.LayerNorm(i[0], 1, i[1], 0, i[2], 1, o, 1, o, 1 + rows * cols, o, 1 + rows * cols + rows, rows, cols, 1e-5f));
        AssertClose(cpu, gpu, 1e-4f, $"layer norm [{rows}, {cols}]");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LayerNormBackward_matches_the_cpu(string device, int rows, int cols)
    {
        int size = rows * cols;
        var inputs = new[] { Random(size, 91), Random(cols, 92), Random(rows, 93, -0.5f, 0.5f), Random(rows, 94, 0.5f, 2f), Random(size + 1, 95) };
        // [dx | dγ | dβ], pre-filled.
        var (cpu, gpu) = Both(Backend(device), inputs, Random(size + 2 * cols + 1, 96),
            (b, i, o) => b.LayerNormBackward(i[0], 0, i[1], 0, i[2], 0, i[3], 0, i[4], 1, o, 1, o, 1 + size, o, 1 + size + cols, rows, cols));
        AssertClose(cpu, gpu, 1e-4f, $"layer norm backward [{rows}, {cols}]");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LstmCell_matches_the_cpu(string device, int batch, int n)
    {
        // [gates (stride 4n + 2) | c (stride n + 1) | h (stride n + 3)], the gates pre-filled with pre-activations.
        int gs = 4 * n + 2, co = 1 + batch * gs, ho = co + batch * (n + 1);
        var (cpu, gpu) = Both(Backend(device), [Random(batch * (n + 2) + 1, 97)], Random(ho + batch * (n + 3), 98, -3f, 3f),
            (b, i, o) => b.LstmCell(batch, n, o, 1, gs, i[0], 1, n + 2, o, co, n + 1, o, ho, n + 3));
        AssertClose(cpu, gpu, 1e-5f, $"lstm cell [{batch}, {n}]");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LstmCellBackward_matches_the_cpu_also_with_dc_prev_in_place_of_dc(string device, int batch, int n)
    {
        var inputs = new[]
        {
            Random(batch * 4 * n, 99, 0.05f, 0.95f), Random(batch * n, 100), Random(batch * n, 101), Random(batch * (n + 1), 102),
            Random(batch * n, 103),
        };
        int dco = 1 + batch * (4 * n + 1);
        foreach (bool inPlace in new[] { false, true })
        {
            // [dGates (stride 4n + 1) | dc_prev, or dc read and overwritten].
            var (cpu, gpu) = Both(Backend(device), inputs, Random(dco + batch * n, 104),
                (b, i, o) => b.LstmCellBackward(batch, n, i[0], 0, 4 * n, i[1], 0, n, i[2], 0, n, i[3], 1, n + 1,
                    inPlace ? o : i[4], inPlace ? dco : 0, n, o, 1, 4 * n + 1, o, dco, n));
            AssertClose(cpu, gpu, 1e-5f, $"lstm cell backward [{batch}, {n}] in place={inPlace}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GruCell_matches_the_cpu(string device, int batch, int n)
    {
        // [xp (stride 3n + 1) | h (stride n)], xp pre-filled with the input projection.
        int xs = 3 * n + 1, ho = 2 + batch * xs;
        var (cpu, gpu) = Both(Backend(device), [Random(batch * 3 * n + 2, 105), Random(batch * (n + 2), 106)], Random(ho + batch * n, 107),
            (b, i, o) => b.GruCell(batch, n, o, 2, xs, i[0], 2, 3 * n, i[1], 0, n + 2, o, ho, n));
        AssertClose(cpu, gpu, 1e-5f, $"gru cell [{batch}, {n}]");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GruCellBackward_matches_the_cpu_also_with_dh_prev_in_place_of_dh(string device, int batch, int n)
    {
        var inputs = new[]
        {
            Random(batch * 3 * n, 108, 0.05f, 0.95f), Random(batch * 3 * n, 109), Random(batch * n, 110), Random(batch * n + 1, 111),
        };
        int dho = 1 + batch * 3 * n, dpo = dho + batch * (3 * n + 2);
        foreach (bool inPlace in new[] { false, true })
        {
            // [dxp | dhp (stride 3n + 2) | dh_prev, or dh read and overwritten].
            var (cpu, gpu) = Both(Backend(device), inputs, Random(dpo + batch * n, 112),
                (b, i, o) => b.GruCellBackward(batch, n, i[0], 0, 3 * n, i[1], 0, 3 * n, i[2], 0, n,
                    inPlace ? o : i[3], inPlace ? dpo : 1, n, o, 1, 3 * n, o, dho, 3 * n + 2, o, dpo, n));
            AssertClose(cpu, gpu, 1e-5f, $"gru cell backward [{batch}, {n}] in place={inPlace}");
        }
    }
}
