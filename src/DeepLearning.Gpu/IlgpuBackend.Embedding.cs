using ILGPU;
using ILGPU.Runtime;

namespace DeepLearning.Backends.Ilgpu;

// Embedding lookup and its gradient (see IBackend.Sequence.cs), one thread per element.
//
// Invalid embedding ids: the CPU throws at once, but a check here would need a host read (a stream synchronisation) per
// lookup. The kernels instead write a zero row for an id that is not an integer in [0, vocab), leave it out of the
// gradient, and keep the first such id (its value, position and the vocabulary size) in a small device-side record; the
// next Synchronize or Download, which wait for the stream anyway, read the record and throw naming them.
public sealed partial class IlgpuBackend
{
    private const int NoError = int.MaxValue;

    // [bad position of the current lookup (atomic min), then the first reported: position, id bits, vocabulary size].
    private MemoryBuffer1D<int, Stride1D.Dense>? _embeddingErrors;
    // Whether a lookup ran since the record was last read: reading it costs a small copy, made only then.
    private bool _embeddingChecksPending;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, ArrayView<int>>? _embeddingCheck;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<int>>? _embeddingLookup;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, int, ArrayView<int>>? _embeddingLinks;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<int>, int, int, ArrayView<float>, int>? _embeddingBackward;

    /// <inheritdoc/>
    public void EmbeddingLookup(DeviceBuffer table, int tableOffset, int vocab, int dim,
        DeviceBuffer indices, int indicesOffset, int count, DeviceBuffer y, int yOffset)
    {
        long total = (long)count * dim;
        if (total <= 0) return;
        var errors = EmbeddingErrors();
        (_embeddingLookup ??= Load(nameof(EmbeddingLookupKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, int, ArrayView<float>, int, ArrayView<float>, int, ArrayView<int>>(EmbeddingLookupKernel)))(
            LaunchStream, checked((int)total), View(table), tableOffset, vocab, dim, View(indices), indicesOffset, View(y), yOffset, errors);
        // Queued behind the lookup, while the ids are still this call's: copies a bad id into the record.
        (_embeddingCheck ??= Load(nameof(EmbeddingCheckKernel),
            a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, ArrayView<int>>(EmbeddingCheckKernel)))(
            LaunchStream, 1, View(indices), indicesOffset, vocab, errors);
        _embeddingChecksPending = true;
    }

    /// <summary>
    /// One thread per output element; an invalid id gives a zero row, and the thread of its first column offers the
    /// position to the record (see the file's note).
    /// </summary>
    internal static void EmbeddingLookupKernel(Index1D i, ArrayView<float> table, int tableOffset, int vocab, int dim,
        ArrayView<float> indices, int indicesOffset, ArrayView<float> y, int yOffset, ArrayView<int> errors)
    {
        int r = i / dim, j = i - r * dim;
        int k = IdOf(indices[indicesOffset + r], vocab);
        y[yOffset + i] = k < 0 ? 0f : table[tableOffset + (long)k * dim + j];
        if (k < 0 && j == 0) Atomic.Min(ref errors[0], r);
    }

    /// <summary>
    /// One thread after each lookup: the lookup's first bad position, with its id and the vocabulary size, becomes the
    /// reported error unless an earlier lookup's is still unread; then the lookup slot is cleared for the next one.
    /// </summary>
    internal static void EmbeddingCheckKernel(Index1D i, ArrayView<float> indices, int indicesOffset, int vocab, ArrayView<int> errors)
    {
        int r = errors[0];
        if (r == NoError) return;
        if (errors[1] == NoError)
        {
            errors[1] = r;
            errors[2] = (int)Interop.FloatAsInt(indices[indicesOffset + r]);
            errors[3] = vocab;
        }
        errors[0] = NoError;
    }

    /// <summary>The device-side error record, made (and cleared) on first use.</summary>
    private ArrayView<int> EmbeddingErrors()
    {
        if (_embeddingErrors is null)
        {
            _embeddingErrors = Accelerator.Allocate1D<int>(4);
            _embeddingErrors.View.CopyFromCPU(_stream, new[] { NoError, NoError, NoError, NoError });
        }
        return _embeddingErrors.View;
    }

    /// <summary>
    /// Called once the stream has drained (Synchronize, Download): throws for an invalid id that a lookup since the last
    /// call met, and clears the record so it is reported once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id was not an integer in [0, vocab); names the id, its position
    /// in the lookup's ids (flat, row-major) and the vocabulary size.</exception>
    private void ThrowOnInvalidEmbeddingIds()
    {
        if (!_embeddingChecksPending || _embeddingErrors is null) return;
        _embeddingChecksPending = false;
        var record = new int[3];
        _embeddingErrors.View.SubView(1, 3).CopyToCPU(_stream, record);
        if (record[0] == NoError) return;
        _embeddingErrors.View.SubView(1, 3).CopyFromCPU(_stream, new[] { NoError, NoError, NoError });
        float id = BitConverter.Int32BitsToSingle(record[1]);
        int vocab = record[2];
        throw new ArgumentOutOfRangeException("indices", string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Embedding on {Name}: index {id} at position {record[0]} is outside the vocabulary of size {vocab} (valid: integers 0 … {vocab - 1}); found when the device was next synchronised, the lookup gave a zero row"));
    }

    /// <summary>The row an id names, or −1 when it is not an integer in [0, vocab) (NaN included).</summary>
    private static int IdOf(float value, int vocab)
    {
        if (!(value >= 0f && value < vocab)) return -1;
        int k = (int)value;
        return k == value ? k : -1;
    }

    /// <inheritdoc/>
    public void EmbeddingBackward(DeviceBuffer dy, int dyOffset, DeviceBuffer indices, int indicesOffset, int count,
        DeviceBuffer dTable, int dTableOffset, int vocab, int dim)
    {
        Fill(dTable, dTableOffset, checked(vocab * dim), 0f);
        long total = (long)count * dim;
        if (total <= 0) return;
        // Deterministic scatter-add without atomics: the first position of each id sums its id's positions in ascending
        // order (the CPU's order, so the sums agree bit for bit), following links to the next equal id. Released right
        // after the launches: the block's next user is queued on the same stream, behind them.
        var links = Allocator.Allocate(checked(2 * count));
        try
        {
            var view = links.View.Cast<int>();
            (_embeddingLinks ??= Load(nameof(EmbeddingLinksKernel),
                a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, int, int, ArrayView<int>>(EmbeddingLinksKernel)))(
                LaunchStream, count, View(indices), indicesOffset, count, vocab, view);
            (_embeddingBackward ??= Load(nameof(EmbeddingBackwardKernel),
                a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, int, ArrayView<float>, int, ArrayView<int>, int, int, ArrayView<float>, int>(EmbeddingBackwardKernel)))(
                LaunchStream, checked((int)total), View(dy), dyOffset, View(indices), indicesOffset, view, count, dim, View(dTable), dTableOffset);
        }
        finally
        {
            links.Release();
        }
    }

    /// <summary>
    /// One thread per position t: <c>links[t]</c> is the next position with the same id (or count), and
    /// <c>links[count + t]</c> is 1 when t is the first position of a valid id. Quadratic in count, but it reads ids only.
    /// </summary>
    internal static void EmbeddingLinksKernel(Index1D t, ArrayView<float> indices, int indicesOffset, int count, int vocab, ArrayView<int> links)
    {
        float v = indices[indicesOffset + t];
        int next = count, head = IdOf(v, vocab) < 0 ? 0 : 1;
        for (int u = 0; u < t && head != 0; u++)
            if (indices[indicesOffset + u] == v) head = 0;
        for (int u = t + 1; u < count; u++)
        {
            if (indices[indicesOffset + u] == v)
            {
                next = u;
                break;
            }
        }
        links[t] = next;
        links[count + t] = head;
    }

    /// <summary>One thread per (position, column); only first positions write, the sum over their chain.</summary>
    internal static void EmbeddingBackwardKernel(Index1D i, ArrayView<float> dy, int dyOffset, ArrayView<float> indices, int indicesOffset,
        ArrayView<int> links, int count, int dim, ArrayView<float> dTable, int dTableOffset)
    {
        int t = i / dim, j = i - t * dim;
        if (links[count + t] == 0) return;
        int k = (int)indices[indicesOffset + t];
        float sum = 0f;
        for (int u = t; u < count; u = links[u]) sum += dy[dyOffset + (long)u * dim + j];
        dTable[dTableOffset + (long)k * dim + j] = sum;
    }
}
