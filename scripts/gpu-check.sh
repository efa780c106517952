#!/usr/bin/env bash
# gpu-check.sh — issue 11's GPU checks on a machine that has a GPU but no .NET SDK: the conformance suite
# (tests/DeepLearning.Gpu.Tests), ours beside PyTorch on the same GPU (benchmarks/DeepLearning.GpuCompare,
# benchmarks/compare/torch_gpu.py) and the CPU-vs-GPU BenchmarkDotNet benchmarks (benchmarks/DeepLearning.Gpu.Benchmarks),
# ending with one table of ratios (benchmarks/compare/gpu_table.py).
#
#   scripts/gpu-check.sh publish [OUT]   on a machine with the .NET SDK: publishes the test runner, the timing program and
#                                        the benchmarks self-contained and trimmed (ILGPU, ILGPU.Algorithms and
#                                        System.Private.CoreLib rooted: ILGPU reads their IL by reflection) into OUT
#                                        (default artifacts/gpu-check) with this script and the Python scripts, and packs
#                                        OUT.tar.xz, which must stay within 40 MB (the GPU machine takes at most 64 MiB)
#   OUT/gpu-check.sh run [RESULTS] [OPTIONS] [-- XUNIT-OPTIONS]
#                                        on the GPU machine: lists the GPUs and libraries; runs every conformance test on
#                                        each CUDA and OpenCL device found (the CPU-accelerator cases are left to CI); times
#                                        ours on DEVICE, ours on the CPU and PyTorch on DEVICE; runs the BenchmarkDotNet
#                                        benchmarks on cpu and DEVICE; prints the table of ratios last. Logs, TSVs and
#                                        reports go to RESULTS (default OUT/results). About 5 minutes on a 16-core H200 host.
# OPTIONS:
#   --device D          ours' GPU side: cuda:0 (default), opencl:0, or ilgpu-cpu to try the whole run without a GPU;
#                       PyTorch runs on cuda:N when D is, else on the CPU
#   --seconds S         measuring time per timed case (default 2)
#   --cases A,B         a subset of the timed cases (gemm4096 gemm4096_tf32 mlp_adam_b128 mlp_adam_b1024
#                       cnn_sgd_b128 dwsep_sgd_b64 gconv_sgd_b64)
#   --no-tests          skip the conformance suite
#   --no-bench          skip the BenchmarkDotNet benchmarks
#   --bench-job J       BenchmarkDotNet's job (default short; dry checks that everything runs without measuring)
#   --bench-devices L   the benchmarks' devices (default cpu,D)
#   --bench-filter F    the benchmarks to run (default '*'; e.g. '*Gemm*')
#   --bench-budget S    stop the benchmarks after S seconds (default 210), keeping the tables of the classes finished
# Environment: PYTHON (default python3) runs the Python scripts; DEEPLEARNING_GPU_TEST_DEVICES (default cuda,opencl) the
# suite's devices.
#
# Exit status: the test runner's (0 when every test passed), else 1 if a timing program failed. CUDA tests skip, saying
# so, when libcuda.so.1 is absent.
set -euo pipefail

usage() {
  echo "usage: $0 publish [OUT] | $0 run [RESULTS] [--device D] [--seconds S] [--cases A,B] [--no-tests] [--no-bench]" \
    "[--bench-job J] [--bench-devices L] [--bench-filter F] [--bench-budget S] [-- xunit runner options]" >&2
  exit 2
}

publish() {
  local root out p dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  out="$(realpath -m "${1:-$root/artifacts/gpu-check}")"
  rm -rf "$out" "$out.tar.xz"
  for p in tests/DeepLearning.Gpu.Tests:tests benchmarks/DeepLearning.GpuCompare:compare benchmarks/DeepLearning.Gpu.Benchmarks:bench; do
    dir="$out/${p##*:}"
    dotnet publish "$root/${p%%:*}" -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -o "$dir"
    # Not needed to run: the test SDK's code-coverage collectors (30 MB), debugger support, symbols, XML docs, and what
    # only BenchmarkDotNet's opt-in diagnosers load (disassembler: capstone, Iced, ClrMD; EventPipe profiler: TraceEvent).
    # Roslyn stays: BenchmarkDotNet's config validation loads it even in process.
    rm -rf "$dir/Microsoft.CodeCoverage" "$dir"/libmscordbi.so "$dir"/libmscordaccore.so "$dir"/*.pdb "$dir"/*.xml \
      "$dir"/libcapstone.so "$dir"/Iced.dll "$dir"/Microsoft.Diagnostics.Runtime.dll "$dir"/Microsoft.Diagnostics.Tracing.TraceEvent.dll
  done
  # Three self-contained apps carry three copies of the runtime's native libraries and of every rooted assembly: identical
  # files become hard links, which tar stores once.
  local hash file prev="" first=""
  while read -r hash file; do
    if [ "$hash" = "$prev" ]; then ln -f "$first" "$file"; else prev="$hash"; first="$file"; fi
  done < <(find "$out" -type f -print0 | xargs -0 sha256sum | sort)
  cp "${BASH_SOURCE[0]}" "$out/gpu-check.sh"
  cp "$root/benchmarks/compare/torch_gpu.py" "$root/benchmarks/compare/gpu_table.py" "$out/"
  chmod +x "$out/gpu-check.sh"
  tar -C "$out" -cf - . | xz -T2 -9 > "$out.tar.xz"
  local bytes
  bytes=$(stat -c %s "$out.tar.xz")
  echo "published $(du -sh "$out" | cut -f1) to $out, packed $((bytes / 1000000)) MB ($bytes bytes) as $out.tar.xz"
  echo "on the GPU machine: mkdir g && tar -xJf $(basename "$out").tar.xz -C g && g/gpu-check.sh run"
  if [ "$bytes" -gt 40000000 ]; then
    echo "$out.tar.xz is over the 40 MB budget (the GPU machine takes at most 64 MiB)" >&2
    exit 1
  fi
}

run() {
  local here results
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  results="$here/results"
  if [ $# -gt 0 ] && [[ "$1" != -* ]]; then results="$1"; shift; fi
  results="$(realpath -m "$results")"
  local device=cuda:0 seconds=2 cases="" tests=1 bench=1 job=short bench_devices="" filter='*' budget=210
  while [ $# -gt 0 ]; do
    case "$1" in
      --device) device="$2"; shift 2 ;;
      --seconds) seconds="$2"; shift 2 ;;
      --cases) cases="$2"; shift 2 ;;
      --no-tests) tests=0; shift ;;
      --no-bench) bench=0; shift ;;
      --bench-job) job="$2"; shift 2 ;;
      --bench-devices) bench_devices="$2"; shift 2 ;;
      --bench-filter) filter="$2"; shift 2 ;;
      --bench-budget) budget="$2"; shift 2 ;;
      --) shift; break ;;
      *) usage ;;
    esac
  done
  [ -n "$bench_devices" ] || { bench_devices=cpu; [ "$device" = cpu ] || bench_devices="cpu,$device"; }
  local py="${PYTHON:-python3}" torch_device=cpu
  [[ "$device" == cuda:* ]] && torch_device="$device"
  local -a case_list=()
  [ -n "$cases" ] && IFS=, read -r -a case_list <<< "$cases"
  mkdir -p "$results"
  # A reused RESULTS must not put an earlier run's numbers into this run's table.
  rm -rf "$results"/*.tsv "$results"/table.md "$results/bench"
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
  else
    echo "nvidia-smi not found: no NVIDIA driver here (CUDA cases will skip)"
  fi
  echo "libraries: $(ldconfig -p 2>/dev/null | grep -oE 'lib(cuda|cublas|nccl)\.so[.0-9]*' | sort -u | tr '\n' ' ')"
  local status=0 timing=0 start=$SECONDS

  if [ "$tests" = 1 ]; then
    echo "== conformance suite on ${DEEPLEARNING_GPU_TEST_DEVICES:-cuda,opencl}"
    DEEPLEARNING_GPU_TEST_DEVICES="${DEEPLEARNING_GPU_TEST_DEVICES:-cuda,opencl}" \
      "$here/tests/DeepLearning.Gpu.Tests" -result-trx "$results/gpu-check.trx" -noColor "$@" 2>&1 | tee "$results/tests.log" \
      || status=$?
    echo "== suite: $((SECONDS - start)) s"
  fi

  echo "== ours on $device, ours on cpu, PyTorch on $torch_device ($seconds s a case)"
  local compare="$here/compare/DeepLearning.GpuCompare"
  local gpu_ok=1
  "$compare" "$device" "$seconds" "${case_list[@]}" 2> "$results/ours-gpu.log" | tee "$results/ours-gpu.tsv" \
    || { gpu_ok=0; timing=1; echo "ours on $device failed: $(tail -n 3 "$results/ours-gpu.log")"; }
  if [[ "$device" == cuda:* ]] && [ "$gpu_ok" = 1 ]; then
    # The ILGPU kernel in cuBLAS's place, for the record: what OpenCL devices and a machine without cuBLAS get.
    local -a nc=()
    for c in gemm4096 mlp_adam_b1024; do
      if [ ${#case_list[@]} -eq 0 ] || [[ " ${case_list[*]} " == *" $c "* ]]; then nc+=("$c"); fi
    done
    [ ${#nc[@]} -eq 0 ] || DEEPLEARNING_CUBLAS=0 "$compare" "$device" "$seconds" "${nc[@]}" 2> "$results/ours-gpu-nocublas.log" \
      | tee "$results/ours-gpu-nocublas.tsv" || { timing=1; echo "ours without cuBLAS failed: see $results/ours-gpu-nocublas.log"; }
  fi
  "$compare" cpu "$seconds" "${case_list[@]}" 2> "$results/ours-cpu.log" | tee "$results/ours-cpu.tsv" \
    || { timing=1; echo "ours on cpu failed: $(tail -n 3 "$results/ours-cpu.log")"; }
  "$py" "$here/torch_gpu.py" "$torch_device" "$seconds" "${case_list[@]}" 2> "$results/torch.log" | tee "$results/torch.tsv" \
    || echo "PyTorch on $torch_device did not run: $(tail -n 1 "$results/torch.log")"
  echo "== timings: $((SECONDS - start)) s"

  if [ "$bench" = 1 ]; then
    echo "== BenchmarkDotNet, job $job, on $bench_devices, at most $budget s"
    local rc=0
    # In process (the benchmarks' Program adds --inProcess): nothing to build here. The budget keeps a slow device from
    # holding up the table; the classes finished before it keep their reports.
    timeout -k 10 "$budget" "$here/bench/DeepLearning.Gpu.Benchmarks" --devices "$bench_devices" \
      --artifacts "$results/bench" --filter "$filter" --job "$job" > "$results/bench.log" 2>&1 || rc=$?
    grep -E '^(devices:|device |no GPU device)' "$results/bench.log" || true
    case "$rc" in
      0) ;;
      124|137) echo "stopped after the $budget s budget: the classes not finished have no table" ;;
      *) echo "benchmarks exited with $rc; the end of $results/bench.log:"; tail -n 20 "$results/bench.log" ;;
    esac
    local r
    for r in "$results"/bench/results/*-report-github.md; do
      [ -e "$r" ] || continue
      echo
      echo "## $(basename "$r" -report-github.md)"
      cat "$r"
    done
    echo "== benchmarks: $((SECONDS - start)) s"
  fi

  echo
  local -a tables=("$results/ours-gpu.tsv" "$results/ours-cpu.tsv" "$results/torch.tsv")
  [ -s "$results/ours-gpu-nocublas.tsv" ] && tables+=("$results/ours-gpu-nocublas.tsv")
  "$py" "$here/gpu_table.py" "${tables[@]}" | tee "$results/table.md" \
    || { timing=1; echo "no table ($py failed): the TSVs as they are"; cat "${tables[@]}"; }
  if [ "$status" = 0 ] && [ "$timing" != 0 ]; then status=1; fi
  return "$status"
}

case "${1:-}" in
  publish) shift; publish "$@" ;;
  run) shift; run "$@" ;;
  *) usage ;;
esac
