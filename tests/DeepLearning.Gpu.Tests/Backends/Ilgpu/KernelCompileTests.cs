using System.Diagnostics;
using System.Reflection;
using DeepLearning.Backends.Ilgpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DeepLearning.Gpu.Tests.Backends.Ilgpu;

/// <summary>
/// Every kernel of the backend compiled offline, with no device, to PTX for SM_80 and SM_90 and to OpenCL C 2.0, each
/// in a fresh ILGPU context (one failed compile poisons a context). Compiling is what the CPU accelerator skips: it
/// runs the kernels' .NET code, so a construct that has no PTX or OpenCL form only shows up here.
/// </summary>
public class KernelCompileTests(ITestOutputHelper output)
{
    /// <summary>Every static method named *Kernel of the backend, generic ones instantiated over every struct that fits.</summary>
    internal static List<MethodInfo> AllKernels()
    {
        var assembly = typeof(IlgpuBackend).Assembly;
        var structs = assembly.GetTypes().Where(t => t.IsValueType && !t.IsGenericTypeDefinition && !t.IsEnum).ToList();
        var kernels = new List<MethodInfo>();
        foreach (var m in typeof(IlgpuBackend).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
        {
            if (!m.Name.EndsWith("Kernel", StringComparison.Ordinal)) continue;
            if (!m.IsGenericMethodDefinition)
            {
                kernels.Add(m);
                continue;
            }
            IEnumerable<Type[]> combos = [[]];
            foreach (var parameter in m.GetGenericArguments())
            {
                var fits = structs.Where(s => parameter.GetGenericParameterConstraints().All(c => c == typeof(ValueType) || c.IsAssignableFrom(s))).ToList();
                combos = combos.SelectMany(c => fits.Select(f => c.Append(f).ToArray())).ToList();
            }
            kernels.AddRange(combos.Select(c => m.MakeGenericMethod(c)));
        }
        return kernels;
    }

    private static string Describe(MethodInfo m) =>
        m.IsGenericMethod ? $"{m.Name}<{string.Join(",", m.GetGenericArguments().Select(a => a.Name))}>" : m.Name;

    private static EntryPointDescription Entry(MethodInfo m) =>
        m.GetParameters().FirstOrDefault()?.ParameterType == typeof(Index1D)
            ? EntryPointDescription.FromImplicitlyGroupedKernel(m)
            : EntryPointDescription.FromExplicitlyGroupedKernel(m);

    private static Context FreshContext() => Context.Create(b => b.EnableAlgorithms().Optimize(OptimizationLevel.O2));

    internal static string Ptx(MethodInfo kernel, CudaArchitecture arch, CudaInstructionSet isa)
    {
        using var context = FreshContext();
        using var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, isa, nvvmAPI: null);
        return ((PTXCompiledKernel)backend.Compile(Entry(kernel), KernelSpecialization.Empty)).PTXAssembly;
    }

    internal static string OpenCL(MethodInfo kernel)
    {
        using var context = FreshContext();
        using var backend = new CLBackend(context,
            new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: true, subGroups: false),
            CLDeviceVendor.Other, CLCVersion.CL20);
        return ((CLCompiledKernel)backend.Compile(Entry(kernel), KernelSpecialization.Empty)).Source;
    }

    [Fact]
    public void The_catalog_holds_every_function_of_every_op_table()
    {
        var names = AllKernels().Select(Describe).ToHashSet();
        // One kernel per unary op forward, backward and epilogue, per binary op and per optimizer rule.
        Assert.Equal(Enum.GetValues<DeepLearning.Backends.UnaryOp>().Length, names.Count(n => n.StartsWith("UnaryKernel<", StringComparison.Ordinal)));
        Assert.Equal(Enum.GetValues<DeepLearning.Backends.UnaryOp>().Length, names.Count(n => n.StartsWith("UnaryBackwardKernel<", StringComparison.Ordinal)));
        Assert.Equal(Enum.GetValues<DeepLearning.Backends.BinaryOp>().Length, names.Count(n => n.StartsWith("BinaryKernel<", StringComparison.Ordinal)));
        Assert.Equal(Enum.GetValues<DeepLearning.Backends.OptimizerOp>().Length, names.Count(n => n.StartsWith("OptimizerKernel<", StringComparison.Ordinal)));
        Assert.Contains("GemmKernel<Tile16>", names);
        Assert.Contains("SoftmaxKernel<Group256>", names);
        Assert.Contains("ReduceGroupKernel<MaxR,Group16>", names);
        Assert.Superset(new HashSet<string> { "GatherRowsKernel", "AddInPlaceKernel", "DropoutKernel", "BatchNormStatisticsKernel<Group256>",
            "BatchNormForwardKernel", "BatchNormParamGradsKernel<Group16>", "BatchNormBackwardKernel",
            "EmbeddingLookupKernel", "EmbeddingLinksKernel", "EmbeddingBackwardKernel", "LayerNormKernel", "LayerNormParamGradsKernel",
            "LayerNormBackwardKernel", "LstmCellKernel", "LstmCellBackwardKernel", "GruCellKernel", "GruCellBackwardKernel",
            "ConvForwardKernel", "ConvInputGradKernel", "ConvWeightGradKernel<Group256>", "ConvBiasGradKernel<Group16>", "Im2ColKernel",
            "Col2ImKernel", "FromChannelsFirstKernel", "ToChannelsFirstKernel", "MaxPoolKernel",
            "MaxPoolBackwardKernel", "AvgPoolKernel", "AvgPoolBackwardKernel" }, names);
    }

    [Fact]
    public void Every_kernel_compiles_to_ptx_for_sm80_and_sm90_and_to_opencl_c_that_clang_accepts()
    {
        var failures = new List<string>();
        var dir = Directory.CreateTempSubdirectory("dl-opencl-").FullName;
        var sw = Stopwatch.StartNew();
        var kernels = AllKernels();
        var openCl = new System.Text.StringBuilder();
        try
        {
            foreach (var kernel in kernels)
            {
                string name = Describe(kernel);
                foreach (var (arch, isa) in new[] { (CudaArchitecture.SM_80, CudaInstructionSet.ISA_70), (CudaArchitecture.SM_90, CudaInstructionSet.ISA_80) })
                {
                    try
                    {
                        string ptx = Ptx(kernel, arch, isa);
                        // An unresolved call (MathF.FusedMultiplyAdd, say) compiles here and fails only when the driver loads the module.
                        if (ptx.Contains(".extern .func", StringComparison.Ordinal)) failures.Add($"{name} {arch}: PTX calls an external function");
                    }
#pragma warning disable CA1031 // Every failure is collected so one run reports all of them.
                    catch (Exception e)
                    {
                        failures.Add($"{name} {arch}: {e.GetBaseException().Message}");
                    }
                }
                try
                {
                    openCl.Append(Isolate(OpenCL(kernel), kernels.IndexOf(kernel), name));
                }
                catch (Exception e)
                {
                    failures.Add($"{name} OpenCL: {e.GetBaseException().Message}");
                }
#pragma warning restore CA1031
            }
            output.WriteLine($"{kernels.Count} kernels × 3 targets compiled in {sw.ElapsedMilliseconds} ms");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            File.WriteAllText(Path.Combine(dir, "kernels.cl"), openCl.ToString());
            output.WriteLine(ClangCheck(dir) is null
                ? "clang-15 is not installed: the OpenCL C was generated but not compiled"
                : $"clang-15 accepted the OpenCL C of all {kernels.Count} kernels");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// One kernel's OpenCL C with its top-level names (ILGPU's <c>type_N</c> and <c>Kernel_Name</c>; everything else is
    /// inlined or local) made unique, so all kernels compile as one translation unit: clang then parses OpenCL's
    /// builtin header once instead of once per kernel (0.4 s each on the CI machine).
    /// </summary>
    internal static string Isolate(string source, int index, string name) =>
        $"// {name}\n" + System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(source, @"\btype_(\d+)", $"type_{index}_$1"),
            @"\bkernel void Kernel_", $"kernel void Kernel{index}_") + "\n";

    /// <summary>Compiles every .cl file of <paramref name="dir"/> with clang-15 for SPIR; null when clang-15 is absent.</summary>
    internal static string? ClangCheck(string dir)
    {
        string? clang = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(p => Path.Combine(p, "clang-15")).FirstOrDefault(File.Exists);
        if (clang is null) return null;
        var files = Directory.GetFiles(dir, "*.cl");
        var psi = new ProcessStartInfo(clang) { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-x", "cl", "-cl-std=CL2.0", "-Xclang", "-finclude-default-header", "-target", "spir64", "-c", "-emit-llvm" }) psi.ArgumentList.Add(a);
        foreach (var f in files) psi.ArgumentList.Add(f);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"clang-15 rejected the OpenCL C of the kernels:\n{err}");
        return $"clang-15 accepted {files.Length} file(s)";
    }

    [Fact]
    public void The_checks_catch_a_kernel_that_has_no_gpu_form()
    {
        var bad = typeof(KernelCompileTests).GetMethod(nameof(FusedMultiplyAddKernel), BindingFlags.Static | BindingFlags.NonPublic)!;
        Assert.Contains(".extern .func", Ptx(bad, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80), StringComparison.Ordinal);
        var dir = Directory.CreateTempSubdirectory("dl-opencl-bad-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "bad.cl"), OpenCL(bad));
            var e = Record.Exception(() => ClangCheck(dir));
            if (Directory.GetFiles(dir, "*.bc").Length == 0 && e is null) return; // clang-15 absent
            Assert.NotNull(e);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>MathF.FusedMultiplyAdd has no PTX or OpenCL mapping in ILGPU 1.5.3: an unresolved external call.</summary>
    private static void FusedMultiplyAddKernel(Index1D i, ArrayView<float> y) => y[i] = MathF.FusedMultiplyAdd(y[i], 2f, 1f);
}
