using DeepLearning.Backends;
using DeepLearning.Backends.Cpu;

namespace DeepLearning.Tests.Backends.Cpu;

/// <summary>Direct access to CPU buffers for kernel tests: data placed at an offset, guard cells around it.</summary>
internal static class Buffers
{
    public const float Guard = -12345.5f;
    private const int Pad = 5;

    public static CpuBackend Backend => CpuBackend.Instance;

    /// <summary>A buffer holding <paramref name="data"/> at <paramref name="offset"/>, guard values elsewhere.</summary>
    public static DeviceBuffer With(float[] data, int offset)
    {
        var b = Backend.Allocate(offset + data.Length + Pad);
        Backend.Fill(b, 0, b.Length, Guard);
        Backend.Upload(data, b, offset);
        return b;
    }

    /// <summary>A buffer of guard values with room for <paramref name="length"/> elements at <paramref name="offset"/>.</summary>
    public static DeviceBuffer Empty(int length, int offset) => With(new float[length].Select(_ => Guard).ToArray(), offset);

    public static float[] Read(DeviceBuffer b, int offset, int length)
    {
        var r = new float[length];
        Backend.Download(b, offset, r);
        return r;
    }

    /// <summary>Asserts the cells outside [offset, offset + length) still hold the guard value.</summary>
    public static void AssertGuards(DeviceBuffer b, int offset, int length, string what)
    {
        var all = Read(b, 0, b.Length);
        for (int i = 0; i < all.Length; i++)
            if (i < offset || i >= offset + length)
                Assert.True(all[i] == Guard, $"{what}: wrote outside its output at {i} (output [{offset}, {offset + length}))");
    }

    /// <summary>|actual − expected| ≤ rel·|expected| + abs; NaN matches NaN, equal infinities match.</summary>
    public static void AssertNear(double expected, float actual, double rel, double abs, string what)
    {
        if (double.IsNaN(expected) && float.IsNaN(actual)) return;
        if (expected == actual) return;
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected) + abs, $"{what}: got {actual:G9}, expected {expected:G9}");
    }
}
