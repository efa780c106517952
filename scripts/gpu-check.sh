#!/usr/bin/env bash
# gpu-check.sh — the GPU conformance suite (tests/DeepLearning.Gpu.Tests) and the CPU-vs-GPU timings
# (benchmarks/DeepLearning.GpuCompare beside PyTorch's benchmarks/compare/torch_gpu.py) on a machine that has a GPU
# but no .NET SDK.
#
#   scripts/gpu-check.sh publish [OUT]   on a machine with the .NET SDK: publishes the test runner and the timing
#                                        program self-contained and trimmed (ILGPU, ILGPU.Algorithms and
#                                        System.Private.CoreLib rooted: ILGPU reads their IL by reflection) into OUT
#                                        (default artifacts/gpu-check) with this script, and packs OUT.tar.xz
#                                        (≈ 20 MB: what a 64 MiB transfer takes)
#   OUT/gpu-check.sh run [RESULTS]       on the GPU machine: lists the devices and libraries, runs every conformance test
#                                        on each CUDA and OpenCL device found (the CPU-accelerator cases are left to CI),
#                                        then the timings; logs and tables go to RESULTS (default OUT)
#
# Exit status: the test runner's (0 when every test passed). CUDA tests skip, saying so, when libcuda.so.1 is absent.
set -euo pipefail

cmd="${1:-}"
case "$cmd" in
  publish)
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    out="$(realpath -m "${2:-$root/artifacts/gpu-check}")"
    rm -rf "$out" "$out.tar.xz"
    for p in tests/DeepLearning.Gpu.Tests:tests benchmarks/DeepLearning.GpuCompare:compare; do
      dotnet publish "$root/${p%%:*}" -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -o "$out/${p##*:}"
      # Not needed to run: the test SDK's code-coverage collectors (30 MB), debugger support, symbols and docs.
      rm -rf "$out/${p##*:}/Microsoft.CodeCoverage" "$out/${p##*:}"/libmscordbi.so "$out/${p##*:}"/libmscordaccore.so \
        "$out/${p##*:}"/*.pdb "$out/${p##*:}"/*.xml
    done
    cp "${BASH_SOURCE[0]}" "$out/gpu-check.sh"
    cp "$root/benchmarks/compare/torch_gpu.py" "$out/"
    chmod +x "$out/gpu-check.sh"
    tar -C "$out" -cf - . | xz -T2 -6 > "$out.tar.xz"
    echo "published $(du -sh "$out" | cut -f1) to $out, packed $(du -sh "$out.tar.xz" | cut -f1) as $out.tar.xz;"
    echo "on the GPU machine: mkdir g && tar -xJf gpu-check.tar.xz -C g && g/gpu-check.sh run"
    ;;
  run)
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    results="$(realpath -m "${2:-$here}")"
    mkdir -p "$results"
    if command -v nvidia-smi >/dev/null 2>&1; then
      nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
    else
      echo "nvidia-smi not found: no NVIDIA driver here (CUDA cases will skip)"
    fi
    echo "libraries: $(ldconfig -p 2>/dev/null | grep -oE 'lib(cuda|cublas|nccl)\.so[.0-9]*' | sort -u | tr '\n' ' ')"
    export DEEPLEARNING_GPU_TEST_DEVICES="${DEEPLEARNING_GPU_TEST_DEVICES:-cuda,opencl}"
    export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
    status=0
    "$here/tests/DeepLearning.Gpu.Tests" -trx "$results/gpu-check.trx" -noColor "${@:3}" 2>&1 | tee "$results/tests.log" || status=$?
    if command -v nvidia-smi >/dev/null 2>&1; then
      {
        "$here/compare/DeepLearning.GpuCompare" cuda:0 2
        DEEPLEARNING_CUBLAS=0 "$here/compare/DeepLearning.GpuCompare" cuda:0 2 gemm4096 mlp_adam_b4096
        "$here/compare/DeepLearning.GpuCompare" cpu 2
        python3 "$here/torch_gpu.py" cuda 2 || echo "PyTorch on CUDA did not run"
      } 2>&1 | tee "$results/compare.tsv"
    fi
    exit $status
    ;;
  *)
    echo "usage: $0 publish [OUT] | $0 run [RESULTS] [xunit runner options]" >&2
    exit 2
    ;;
esac
