namespace DeepLearning.Tests;

/// <summary>
/// Keeps docs/ pages honest: each <c>// snippet: NAME</c> … <c>// end snippet</c> region of a test file (compiled and
/// run by that file's tests) must equal the page's code block marked <c>&lt;!-- snippet: NAME --&gt;</c>.
/// </summary>
internal static class DocSnippets
{
    /// <summary>
    /// Asserts every region of <paramref name="testFile"/> whose name starts with <paramref name="prefix"/> appears on
    /// <paramref name="page"/>; returns their names in order.
    /// </summary>
    public static List<string> AssertShown(string testFile, string page, string prefix = "")
    {
        string root = ArchitectureTests.RepositoryRoot();
        var code = File.ReadAllLines(Path.Combine(root, testFile));
        var lines = File.ReadAllLines(Path.Combine(root, page));
        var names = new List<string>();
        for (int i = 0; i < code.Length; i++)
        {
            string line = code[i].Trim();
            if (!line.StartsWith("// snippet: ", StringComparison.Ordinal)) continue;
            string name = line["// snippet: ".Length..];
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            names.Add(name);
            int indent = code[i].Length - code[i].TrimStart().Length;
            var snippet = code.Skip(i + 1).TakeWhile(l => l.Trim() != "// end snippet").Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()).ToList();
            int marker = Array.IndexOf(lines, $"<!-- snippet: {name} -->");
            Assert.True(marker >= 0, $"{page} has no <!-- snippet: {name} --> marker");
            Assert.Equal("```csharp", lines[marker + 1]);
            Assert.Equal(snippet, lines.Skip(marker + 2).TakeWhile(l => l != "```").ToList());
        }
        return names;
    }
}
