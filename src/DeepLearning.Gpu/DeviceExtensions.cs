namespace DeepLearning;

/// <summary>
/// <c>Device.Cuda()</c>, <c>Device.OpenCL()</c> and <c>Device.IlgpuCpu()</c> beside <see cref="Device.Cpu"/> once this
/// package is referenced (C# 14 static extension members); the same as <see cref="GpuDevices"/>' methods.
/// </summary>
public static class DeviceExtensions
{
    extension(Device)
    {
        /// <summary>The CUDA device <paramref name="index"/>; see <see cref="GpuDevices.Cuda"/>.</summary>
        /// <exception cref="GpuUnavailableException">No NVIDIA driver (libcuda.so.1), or no such device.</exception>
        public static Device Cuda(int index = 0) => GpuDevices.Cuda(index);

        /// <summary>The OpenCL device <paramref name="index"/>; see <see cref="GpuDevices.OpenCL"/>.</summary>
        /// <exception cref="GpuUnavailableException">No OpenCL 2.0 device with the generic address space.</exception>
        public static Device OpenCL(int index = 0) => GpuDevices.OpenCL(index);

        /// <summary>ILGPU's CPU accelerator (the GPU kernels on CPU threads, for tests); see <see cref="GpuDevices.IlgpuCpu"/>.</summary>
        public static Device IlgpuCpu(int warpSize = 4, int warpsPerGroup = 4, int multiprocessors = 1) =>
            GpuDevices.IlgpuCpu(warpSize, warpsPerGroup, multiprocessors);
    }
}
