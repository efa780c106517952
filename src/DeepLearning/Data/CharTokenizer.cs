using System.Globalization;
using System.Text;

namespace DeepLearning;

/// <summary>
/// A character-level tokenizer: each distinct character (UTF-16 code unit) of a training text gets an id, in ordinal
/// order, so the same text always gives the same vocabulary. <see cref="Encode"/> maps text to ids for an
/// <see cref="Embedding"/>, <see cref="Decode"/> maps ids back.
/// </summary>
public sealed class CharTokenizer
{
    private readonly char[] _chars;
    private readonly Dictionary<char, int> _ids;

    /// <summary>Builds the vocabulary from the distinct characters of <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text is empty.</exception>
    public CharTokenizer(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException("CharTokenizer: the text is empty, so there is no vocabulary", nameof(text));
        _chars = [.. text.Distinct().Order()];
        _ids = new Dictionary<char, int>(_chars.Length);
        for (int i = 0; i < _chars.Length; i++) _ids[_chars[i]] = i;
    }

    /// <summary>Number of distinct characters (valid ids are 0 … VocabSize − 1).</summary>
    public int VocabSize => _chars.Length;

    /// <summary>The ids of the characters of <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">A character is not in the vocabulary; the message names it and its position.</exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
            if (!_ids.TryGetValue(text[i], out ids[i]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"CharTokenizer: character '{text[i]}' (U+{(int)text[i]:X4}) at position {i} is not in the vocabulary of {VocabSize} characters"), nameof(text));
        return ids;
    }

    /// <summary>The text of <paramref name="ids"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside 0 … VocabSize − 1; the message names it and its position.</exception>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sb = new StringBuilder();
        int position = 0;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_chars.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, string.Create(CultureInfo.InvariantCulture,
                    $"CharTokenizer: id {id} at position {position} is outside the vocabulary of size {VocabSize}"));
            sb.Append(_chars[id]);
            position++;
        }
        return sb.ToString();
    }
}
