namespace DeepLearning.Tests.Distributed;

/// <summary>How far data-parallel results are from one process's; shared with the MPI test program (linked there).</summary>
internal static class Tolerance
{
    /// <summary>The largest |a − b| over a tensor, relative to its largest |b|.</summary>
    public static double RelativeDifference(float[] a, float[] b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs((double)b[i]));
        }
        return diff / Math.Max(scale, 1e-30);
    }
}
