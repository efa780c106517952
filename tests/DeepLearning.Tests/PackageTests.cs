using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace DeepLearning.Tests;

/// <summary>
/// The NuGet package as a user gets it: <c>dotnet pack</c> into a temporary local feed, then samples/PackageConsumer,
/// which references the package by version (not the project), restored from that feed, built and run. Offline: the
/// feed, and this machine's package cache as a second local feed, come before the configured sources.
/// </summary>
public sealed class PackageTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly string _dir = Directory.CreateTempSubdirectory("package-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Dotnet(string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host's MSBuild variables would point the child at this build's SDK state.
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(600_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {arguments} did not finish in 10 minutes");
        }
        string output = stdout.Result + stderr;
        log.WriteLine($"dotnet {arguments}: exit {p.ExitCode} in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(p.ExitCode == 0, $"dotnet {arguments} exited with {p.ExitCode}:\n{output}");
        return output;
    }

    [Fact]
    public void Readme_Install_ShowsTheConsumerProgramAndTheVersion()
    {
        string root = ArchitectureTests.RepositoryRoot();
        string version = XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("DeepLearningVersion").Single().Value;
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        int start = readme.IndexOf("\n## Install\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Install section");
        string section = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        Assert.Contains($"dotnet add package DeepLearning --version {version}", section);
        int code = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        string snippet = section[code..section.IndexOf("```", code, StringComparison.Ordinal)].Trim();
        // The sample's first line is a comment about the README itself; the rest is what the README shows.
        string program = File.ReadAllText(Path.Combine(root, "samples", "PackageConsumer", "Program.cs")).ReplaceLineEndings("\n");
        Assert.Equal(program[(program.IndexOf('\n') + 1)..].Trim(), snippet);
    }

    [Fact]
    public void Pack_ThenConsumerSample_BuildsAndRunsFromTheLocalFeed()
    {
        string root = ArchitectureTests.RepositoryRoot();
        string version = XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("DeepLearningVersion").Single().Value;
        string feed = Directory.CreateDirectory(Path.Combine(_dir, "feed")).FullName;

        // --no-build: the library is already built in this configuration (this test assembly references it).
        Dotnet($"pack \"{Path.Combine(root, "src", "DeepLearning", "DeepLearning.csproj")}\" -c {Configuration} --no-build -o \"{feed}\"", root);

        string package = Path.Combine(feed, $"DeepLearning.{version}.nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", names);
            Assert.Contains("lib/net10.0/DeepLearning.dll", names);
            Assert.Contains("lib/net10.0/DeepLearning.xml", names);
            using var reader = new StreamReader(zip.GetEntry("DeepLearning.nuspec")!.Open());
            var nuspec = XDocument.Parse(reader.ReadToEnd());
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal(version, metadata.Element(ns + "version")!.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            var repository = metadata.Element(ns + "repository");
            Assert.NotNull(repository);
            Assert.Equal("git", repository.Attribute("type")!.Value);
            Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")!.Value);
        }
        using (var symbols = ZipFile.OpenRead(Path.Combine(feed, $"DeepLearning.{version}.snupkg")))
            Assert.Contains(symbols.Entries, e => e.FullName == "lib/net10.0/DeepLearning.pdb");

        // The sample, copied out of the repository so nothing of the repository's build applies to it.
        string consumer = Directory.CreateDirectory(Path.Combine(_dir, "consumer")).FullName;
        foreach (var file in new[] { "PackageConsumer.csproj", "Program.cs" })
            File.Copy(Path.Combine(root, "samples", "PackageConsumer", file), Path.Combine(consumer, file));
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"),
            $"<Project><PropertyGroup><DeepLearningVersion>{version}</DeepLearningVersion></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.targets"), "<Project />");
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // The machine's configured sources ("E https://…" per enabled source), after the two local ones.
        var sources = new List<string>();
        if (Directory.Exists(cache)) sources.Add(cache);
        foreach (var line in Dotnet("nuget list source --format short", consumer).Split('\n'))
            if (line.StartsWith("E ", StringComparison.Ordinal)) sources.Add(line[2..].Trim());
        // A fresh packages folder, so the package comes from the feed and never from an older copy of the same version;
        // source mapping takes DeepLearning* from the feed only, whatever a remote source holds under that name.
        File.WriteAllText(Path.Combine(consumer, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(_dir, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="local-feed" value="{feed}" />
                {string.Concat(sources.Select((s, i) => $"<add key=\"source{i}\" value=\"{s}\" />"))}
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local-feed"><package pattern="DeepLearning" /><package pattern="DeepLearning.*" /></packageSource>
                {string.Concat(sources.Select((_, i) => $"<packageSource key=\"source{i}\"><package pattern=\"*\" /></packageSource>"))}
              </packageSourceMapping>
            </configuration>
            """);

        Dotnet($"build -c Release --disable-build-servers", consumer);
        var restored = Path.Combine(_dir, "packages", "deeplearning", version, $"deeplearning.{version}.nupkg");
        Assert.Equal(File.ReadAllBytes(package), File.ReadAllBytes(restored));
        string output = Dotnet($"\"{Path.Combine(consumer, "bin", "Release", "net10.0", "PackageConsumer.dll")}\"", consumer);
        log.WriteLine(output);
        Assert.Contains("from the package: XOR loss after loading", output);
    }
}
