using System.Text;

namespace DeepLearning;

/// <summary>
/// The dimensions of a tensor, outermost first (row-major). Immutable. A shape of rank 0 describes a scalar
/// and holds one element.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private static readonly int[] Empty = [];
    private readonly int[]? _dims;
    private readonly int _length;

    /// <summary>Creates a shape from its dimensions, outermost first.</summary>
    /// <param name="dims">Dimensions; each must be non-negative.</param>
    /// <exception cref="ArgumentException">A dimension is negative or the element count overflows.</exception>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long n = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentException($"Shape: dimension {d} is negative in {Format(dims)}", nameof(dims));
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"Shape: {Format(dims)} holds more than {Array.MaxLength} elements", nameof(dims));
        }
        _dims = (int[])dims.Clone();
        _length = (int)n;
    }

    /// <summary>
    /// A shape with the dimensions <paramref name="dims"/> (non-negative, checked by the caller), sharing the array of an
    /// equal shape made recently on this thread: ops make the same few shapes every training step, and immutable
    /// shapes can share their arrays, so a steady-state step allocates none.
    /// </summary>
    internal static Shape Of(ReadOnlySpan<int> dims)
    {
        long n = 1;
        int hash = dims.Length;
        foreach (int d in dims)
        {
            n = Math.Min(n * d, (long)Array.MaxLength + 1);
            hash = hash * 31 + d;
        }
        if (n > Array.MaxLength) throw new ArgumentException($"Shape: {Format(dims)} holds more than {Array.MaxLength} elements");
        if (dims.Length == 0) return Scalar;
        var cache = _recent ??= new int[]?[RecentSlots];
        // Two ways per set: the newer in the even slot, the older in the odd one.
        int set = (int)(((uint)hash * 0x9E3779B9u) >> (32 - RecentSetBits)) * 2;
        var found = cache[set];
        if (found is null || !dims.SequenceEqual(found))
        {
            var older = cache[set + 1];
            if (older is not null && dims.SequenceEqual(older)) (cache[set], cache[set + 1]) = (older, found);
            else (cache[set], cache[set + 1]) = (dims.ToArray(), found);
            found = cache[set];
        }
        return new Shape(found!, (int)n);
    }

    /// <inheritdoc cref="Of(ReadOnlySpan{int})"/>
    internal static Shape Of(int d0, int d1) => Of([d0, d1]);

    /// <inheritdoc cref="Of(ReadOnlySpan{int})"/>
    internal static Shape Of(int d0, int d1, int d2) => Of([d0, d1, d2]);

    /// <inheritdoc cref="Of(ReadOnlySpan{int})"/>
    internal static Shape Of(int d0, int d1, int d2, int d3) => Of([d0, d1, d2, d3]);

    // Set-associative by a hash of the dimensions; a miss only costs a new array.
    private const int RecentSetBits = 7;
    private const int RecentSlots = 2 << RecentSetBits;
    [ThreadStatic] private static int[]?[]? _recent;

    private Shape(int[] dims, int length)
    {
        _dims = dims;
        _length = length;
    }

    /// <summary>The shape of a scalar: rank 0, one element.</summary>
    public static Shape Scalar => new(Empty, 1);

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Dims => _dims ?? Empty;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>Number of elements: the product of the dimensions (1 for a scalar).</summary>
    public int Length => _dims is null ? 1 : _length;

    /// <summary>The dimension at <paramref name="axis"/>; a negative axis counts from the end.</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis, "Shape")];

    /// <summary>A copy of the dimensions as an array.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Turns a possibly negative axis into an index in [0, Rank).</summary>
    /// <param name="axis">Axis; -1 is the last.</param>
    /// <param name="op">Name of the calling op, for the error message.</param>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [-Rank, Rank).</exception>
    public int NormalizeAxis(int axis, string op)
    {
        int r = Rank;
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for shape {this}");
        return a;
    }

    /// <summary>
    /// The NumPy broadcast of two shapes: aligned from the last axis, each pair of dimensions must be equal or one of
    /// them 1.
    /// </summary>
    /// <param name="a">First shape.</param>
    /// <param name="b">Second shape.</param>
    /// <param name="op">Name of the calling op, for the error message.</param>
    /// <exception cref="ArgumentException">The shapes cannot broadcast; the message names the op and both shapes.</exception>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        if (a.Equals(b)) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> dims = stackalloc int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.Dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.Dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot broadcast");
            dims[i] = da == 1 ? db : da;
        }
        return Of(dims);
    }

    /// <summary>Row-major strides (in elements) of this shape.</summary>
    internal int[] Strides()
    {
        var s = new int[Rank];
        int acc = 1;
        for (int i = Rank - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= Dims[i];
        }
        return s;
    }

    /// <summary>Returns a new shape with <paramref name="axis"/> replaced by <paramref name="size"/>.</summary>
    internal Shape WithDim(int axis, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Span<int> d = stackalloc int[Rank];
        Dims.CopyTo(d);
        d[axis] = size;
        return Of(d);
    }

    /// <summary>Returns a new shape with <paramref name="axis"/> removed.</summary>
    internal Shape Without(int axis)
    {
        Span<int> d = stackalloc int[Rank - 1];
        for (int i = 0, j = 0; i < Rank; i++) if (i != axis) d[j++] = Dims[i];
        return Of(d);
    }

    /// <summary>Product of the dimensions in [from, to).</summary>
    internal int Product(int from, int to)
    {
        int p = 1;
        for (int i = from; i < to; i++) p *= Dims[i];
        return p;
    }

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Whether two shapes have the same dimensions.</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Whether two shapes differ.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Creates a shape from an array of dimensions.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>The shape as <c>[d0,d1,…]</c>, as error messages print it.</summary>
    public override string ToString() => Format(Dims);

    /// <summary>Dimensions as <c>[d0,d1,…]</c>, as messages print them (also for lists that are not valid shapes).</summary>
    internal static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(dims[i]);
        }
        return sb.Append(']').ToString();
    }
}
