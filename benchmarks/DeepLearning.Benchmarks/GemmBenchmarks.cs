using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Benchmarks;

/// <summary>Sgemm on the <see cref="GemmCase"/> shapes, with a GFLOP/s column (2·m·n·k / mean time).</summary>
[Config(typeof(GflopsConfig))]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    /// <summary>The case being measured.</summary>
    [ParamsSource(nameof(Cases))]
    public GemmCase Case { get; set; } = GemmCase.All[0];

    /// <summary>Every case of <see cref="GemmCase.All"/>.</summary>
    public static IEnumerable<GemmCase> Cases => GemmCase.All;

    /// <summary>Random inputs of the case's shapes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = Enumerable.Range(0, Case.M * Case.K).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, Case.K * Case.N).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[Case.M * Case.N];
    }

    /// <summary>C = op(A)·op(B).</summary>
    [Benchmark]
    public void Sgemm() => DeepLearning.Backends.Cpu.Sgemm.Multiply(Case.TransA, Case.TransB, Case.M, Case.N, Case.K, 1f,
        _a, 0, Case.TransA ? Case.M : Case.K, _b, 0, Case.TransB ? Case.K : Case.N, 0f, _c, 0, Case.N);

    private sealed class GflopsConfig : ManualConfig
    {
        public GflopsConfig() => AddColumn(new GflopsColumn());
    }

    private sealed class GflopsColumn : IColumn
    {
        public string Id => "GFLOPS";
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "2·m·n·k / mean time, in 10⁹ floating-point operations per second";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats) return "-";
            var g = (GemmCase)benchmarkCase.Parameters["Case"];
            return (g.Flops / stats.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
