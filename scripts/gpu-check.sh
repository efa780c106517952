#!/usr/bin/env bash
# gpu-check.sh — the GPU conformance suite (tests/DeepLearning.Gpu.Tests) on a machine that has a GPU but no .NET SDK.
#
#   scripts/gpu-check.sh publish [OUT]   on a machine with the .NET SDK: publishes the test runner self-contained and
#                                        trimmed (ILGPU, ILGPU.Algorithms and System.Private.CoreLib rooted: ILGPU reads
#                                        their IL by reflection) into OUT (default artifacts/gpu-check), with this script
#   OUT/gpu-check.sh run                 on the GPU machine: lists the devices and runs every conformance test on each
#                                        CUDA and OpenCL device found (the CPU-accelerator cases are left to CI)
#
# Exit status: the test runner's (0 when every test passed). CUDA tests skip, saying so, when libcuda.so.1 is absent.
set -euo pipefail

cmd="${1:-}"
case "$cmd" in
  publish)
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    out="$(realpath -m "${2:-$root/artifacts/gpu-check}")"
    rm -rf "$out"
    dotnet publish "$root/tests/DeepLearning.Gpu.Tests" -c Release -r linux-x64 --self-contained \
      -p:PublishTrimmed=true -o "$out"
    # Not needed to run the tests: the test SDK's code-coverage collectors (30 MB), debugger support, symbols and docs.
    rm -rf "$out/Microsoft.CodeCoverage" "$out"/libmscordbi.so "$out"/libmscordaccore.so "$out"/*.pdb "$out"/*.xml
    cp "${BASH_SOURCE[0]}" "$out/gpu-check.sh"
    chmod +x "$out/gpu-check.sh"
    echo "published $(du -sh "$out" | cut -f1) to $out; copy it to the GPU machine and run: $out/gpu-check.sh run"
    ;;
  run)
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    if command -v nvidia-smi >/dev/null 2>&1; then
      nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
    else
      echo "nvidia-smi not found: no NVIDIA driver here (CUDA cases will skip)"
    fi
    export DEEPLEARNING_GPU_TEST_DEVICES="${DEEPLEARNING_GPU_TEST_DEVICES:-cuda,opencl}"
    export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
    cd "$here"
    ./DeepLearning.Gpu.Tests -trx "$here/gpu-check.trx" "${@:2}"
    ;;
  *)
    echo "usage: $0 publish [OUT] | $0 run [xunit runner options]" >&2
    exit 2
    ;;
esac
