using System.Text.RegularExpressions;
using DeepLearning.Backends;

namespace DeepLearning.Tests;

/// <summary>The dependency direction of DESIGN.md §2, checked on the source and on the compiled assembly.</summary>
public partial class ArchitectureTests
{
    // Folders that may see devices and kernels; every other folder works through Tensor and its ops.
    private static readonly string[] BackendAware = ["Backends", "Tensors", "Ops"];

    public static TheoryData<string> SourceFolders()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(SourceRoot()))
        {
            string name = Path.GetFileName(dir);
            if (name is not ("bin" or "obj")) data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SourceFolders))]
    public void Only_tensors_and_ops_name_the_backend(string folder)
    {
        if (BackendAware.Contains(folder)) return;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SourceRoot(), folder), "*.cs", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            Assert.False(BackendReference().IsMatch(text), $"{Path.GetRelativePath(SourceRoot(), file)} names the backend layer");
        }
    }

    [Fact]
    public void Autodiff_never_calls_a_kernel()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SourceRoot(), "Autodiff"), "*.cs"))
            Assert.DoesNotContain("Kernels.", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Public_types_live_in_the_library_distributed_or_backend_namespace()
    {
        foreach (var type in typeof(Tensor).Assembly.GetExportedTypes())
        {
            string ns = type.Namespace ?? "";
            // DeepLearning.Distributed: multi-process training is opt-in (as torch.distributed is), its types stay out of the model-builder's namespace.
            Assert.True(ns is "DeepLearning" or "DeepLearning.Distributed" || ns.StartsWith("DeepLearning.Backends", StringComparison.Ordinal),
                $"{type.FullName} is public outside DeepLearning / DeepLearning.Distributed / DeepLearning.Backends");
        }
    }

    [Fact]
    public void Backend_interface_is_in_the_backend_namespace()
    {
        Assert.Equal("DeepLearning.Backends", typeof(IBackend).Namespace);
        Assert.Equal(typeof(Tensor).Assembly, typeof(IBackend).Assembly);
        Assert.DoesNotContain(typeof(Tensor).Assembly.GetReferencedAssemblies(), a => a.Name!.Contains("Gpu", StringComparison.Ordinal)
            || a.Name!.StartsWith("ILGPU", StringComparison.Ordinal) || a.Name!.Contains("Cuda", StringComparison.OrdinalIgnoreCase));
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DeepLearning.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DeepLearning.sln not found above " + AppContext.BaseDirectory);
    }

    private static string SourceRoot() => Path.Combine(RepositoryRoot(), "src", "DeepLearning");

    // Type names of the backend layer, and member access to a tensor's backend or memory (t.Backend, t.Buffer).
    [GeneratedRegex(@"\bDeepLearning\.Backends\b|\bIBackend\b|\bDeviceBuffer\b|\bCpuBackend\b|\bKernels\.|\.Backend\b|\.Buffer\b")]
    private static partial Regex BackendReference();
}
