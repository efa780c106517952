namespace DeepLearning.Tests.Tensors;

public class DeviceTests
{
    [Fact]
    public void Devices_over_one_backend_are_the_same_device()
    {
        var again = new Device(Device.Cpu.Backend);
        Assert.Equal(Device.Cpu, again);
        Assert.True(Device.Cpu == again);
        Assert.False(Device.Cpu != again);
        Assert.Equal(Device.Cpu.GetHashCode(), again.GetHashCode());
        // So tensors made on either are on the same device: ops between them work.
        using var scope = TensorScope.Begin();
        var a = Tensor.Ones(new Shape(2), again);
        Assert.Equal([2f, 2f], (a + Tensor.Ones(2)).ToArray());
    }

    [Fact]
    public void Devices_are_found_by_name_and_an_unknown_name_lists_the_known_ones()
    {
        Assert.Same(Device.Cpu, Device.FromName("CPU"));
        Device.Register("test-device-tests", () => TestBackend.Shared);
        Assert.Equal(TestBackend.Shared, Device.FromName("test-device-tests"));
        var e = Assert.Throws<ArgumentException>(() => Device.FromName("tpu"));
        Assert.Contains("'tpu' is unknown", e.Message, StringComparison.Ordinal);
        Assert.Contains("cpu", e.Message, StringComparison.Ordinal);
    }
}
