using System.Reflection;
using System.Text;

namespace DeepLearning.Tests;

/// <summary>
/// Snapshots the public surface (DESIGN §7) so every change to it shows in review as a diff of PublicApi.txt.
/// After an intended change, run the tests with UPDATE_PUBLIC_API=1 to rewrite the file.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void Public_api_matches_the_snapshot()
    {
        string path = Path.Combine(ArchitectureTests.RepositoryRoot(), "tests", "DeepLearning.Tests", "PublicApi.txt");
        string actual = Describe(typeof(Tensor).Assembly);
        if (Environment.GetEnvironmentVariable("UPDATE_PUBLIC_API") == "1") File.WriteAllText(path, actual);
        string expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        var missing = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Except(actual.Split('\n')).ToList();
        var added = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries).Except(expected.Split('\n')).ToList();
        Assert.True(missing.Count == 0 && added.Count == 0,
            "The public API changed (run the tests with UPDATE_PUBLIC_API=1 if intended).\nRemoved:\n  " + string.Join("\n  ", missing) + "\nAdded:\n  " + string.Join("\n  ", added));
    }

    [Fact]
    public void Every_public_member_has_xml_docs()
    {
        // The compiler enforces this (CS1591 is an error in the library); this checks the shipped file exists.
        string xml = Path.ChangeExtension(typeof(Tensor).Assembly.Location, ".xml");
        Assert.True(File.Exists(xml), $"no XML documentation file beside {typeof(Tensor).Assembly.Location}");
    }

    private static string Describe(Assembly assembly)
    {
        var types = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes())
        {
            string kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsSubclassOf(typeof(Delegate)) ? "delegate" : "class";
            string baseName = type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) && b != typeof(MulticastDelegate) ? " : " + Name(b) : "";
            var lines = new List<string>();
            types.Add($"{kind} {type.FullName}{baseName}", lines);
            if (type.IsEnum)
            {
                lines.AddRange(Enum.GetNames(type));
                continue;
            }
            foreach (var m in type.GetMembers(flags))
            {
                string? text = m switch
                {
                    ConstructorInfo c when c.IsPublic || c.IsFamily => $"new({Parameters(c)})",
                    MethodInfo mi when (mi.IsPublic || mi.IsFamily) && !mi.IsSpecialName || mi.Name.StartsWith("op_", StringComparison.Ordinal) =>
                        $"{(mi.IsStatic ? "static " : "")}{Name(mi.ReturnType)} {mi.Name}{(mi.IsGenericMethod ? "<" + string.Join(",", mi.GetGenericArguments().Select(Name)) + ">" : "")}({Parameters(mi)})",
                    PropertyInfo p => $"{Name(p.PropertyType)} {p.Name}{(p.GetIndexParameters().Length > 0 ? "[" + string.Join(", ", p.GetIndexParameters().Select(i => Name(i.ParameterType))) + "]" : "")} {{{(p.GetMethod?.IsPublic == true ? " get;" : "")}{(p.SetMethod?.IsPublic == true ? " set;" : "")} }}",
                    FieldInfo f when f.IsPublic => $"{(f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}",
                    EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
                    _ => null,
                };
                if (text is not null) lines.Add(text);
            }
        }
        var sb = new StringBuilder();
        foreach (var (header, members) in types)
        {
            sb.Append(header).Append('\n');
            members.Sort(StringComparer.Ordinal);
            foreach (var m in members) sb.Append("    ").Append(m).Append('\n');
        }
        return sb.ToString();
    }

    private static string Parameters(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type t)
    {
        if (t.IsGenericParameter) return t.Name;
        if (t.IsArray) return Name(t.GetElementType()!) + "[]";
        if (t.IsByRef) return Name(t.GetElementType()!) + "&";
        string n = t.Namespace is "System" or "System.Collections.Generic" or "DeepLearning" ? t.Name : t.FullName ?? t.Name;
        if (t.IsNested) n = Name(t.DeclaringType!) + "." + t.Name;
        if (!t.IsGenericType) return n;
        int tick = n.IndexOf('`', StringComparison.Ordinal);
        return (tick >= 0 ? n[..tick] : n) + "<" + string.Join(",", t.GetGenericArguments().Select(Name)) + ">";
    }
}
