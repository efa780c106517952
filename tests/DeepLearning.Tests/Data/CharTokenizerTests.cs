namespace DeepLearning.Tests.Data;

public class CharTokenizerTests
{
    [Fact]
    public void Encode_then_decode_gives_the_text_back_with_ids_in_ordinal_order()
    {
        var tok = new CharTokenizer("hello, world");
        Assert.Equal(9, tok.VocabSize); // ' ', ',', d, e, h, l, o, r, w
        var ids = tok.Encode("world hello");
        Assert.Equal([8, 6, 7, 5, 2, 0, 4, 3, 5, 5, 6], ids);
        Assert.Equal("world hello", tok.Decode(ids));
    }

    [Fact]
    public void Unknown_characters_and_ids_are_named_with_their_position()
    {
        var tok = new CharTokenizer("abc");
        var e = Assert.Throws<ArgumentException>(() => tok.Encode("abz"));
        Assert.Contains("character 'z' (U+007A) at position 2 is not in the vocabulary of 3 characters", e.Message, StringComparison.Ordinal);
        var d = Assert.Throws<ArgumentOutOfRangeException>(() => tok.Decode([0, 3]));
        Assert.Contains("id 3 at position 1 is outside the vocabulary of size 3", d.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CharTokenizer(""));
    }
}
