using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DeepLearning.Gpu.Benchmarks;

/// <summary>
/// The columns every CPU-vs-GPU table gets: <c>vs cpu</c> (the cpu row's mean over this row's, for the same benchmark
/// and other parameters: above 1 is faster than the CPU) and, for GEMM, GFLOP/s.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    /// <summary>Adds the two columns.</summary>
    public BenchConfig()
    {
        AddColumn(new SpeedupColumn());
        AddColumn(new GflopsColumn());
    }

    private abstract class CustomColumn : IColumn
    {
        public abstract string Id { get; }
        public abstract string ColumnName { get; }
        public abstract string Legend { get; }
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
        public abstract string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style);
    }

    private sealed class SpeedupColumn : CustomColumn
    {
        public override string Id => "VsCpu";
        public override string ColumnName => "vs cpu";
        public override string Legend => "mean time on cpu / mean time on this device (same benchmark and parameters); > 1 is faster than the CPU";

        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (summary[benchmarkCase]?.ResultStatistics is not { } mine) return "-";
            var cpu = summary.BenchmarksCases.FirstOrDefault(c =>
                c.Descriptor == benchmarkCase.Descriptor && c.Job == benchmarkCase.Job &&
                c.Parameters.Items.All(p => p.Name == "Device"
                    ? (string)p.Value == "cpu"
                    : Equals(p.Value, benchmarkCase.Parameters[p.Name])));
            if (cpu is null || summary[cpu]?.ResultStatistics is not { } reference) return "-";
            return (reference.Mean / mine.Mean).ToString("F2", CultureInfo.InvariantCulture);
        }
    }

    private sealed class GflopsColumn : CustomColumn
    {
        public override string Id => "GFLOPS";
        public override string ColumnName => "GFLOP/s";
        public override string Legend => "2·N³ / mean time for GEMM, in 10⁹ floating-point operations per second";

        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (summary[benchmarkCase]?.ResultStatistics is not { } stats) return "-";
            if (benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "N")?.Value is not int n) return "-";
            return (2.0 * n * n * n / stats.Mean).ToString("F1", CultureInfo.InvariantCulture); // flops per ns = GFLOP/s
        }
    }
}
