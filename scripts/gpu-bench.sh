#!/usr/bin/env bash
# gpu-bench.sh — the CPU-vs-GPU BenchmarkDotNet benchmarks (benchmarks/DeepLearning.Gpu.Benchmarks) on a machine that
# has a GPU but no .NET SDK.
#
#   scripts/gpu-bench.sh publish [OUT]          on a machine with the .NET SDK: publishes the benchmarks self-contained and
#                                               trimmed (partial mode) into OUT (default artifacts/gpu-bench) with this
#                                               script, about 52 MB, and packs OUT into OUT.tar.xz (about 13 MB) for the trip
#   OUT/gpu-bench.sh run RESULTS [OPTIONS]      on the GPU machine: measures GEMM 1024³ and 4096³, the MLP 784-512-256-10
#                                               training step at batch 256 and the MnistCnn step at batch 128, on the CPU and
#                                               on each CUDA/OpenCL device found (--devices cpu,cuda:0 to choose; ilgpu-cpu
#                                               only when named), and prints BenchmarkDotNet's markdown tables; the full
#                                               results (markdown, CSV, HTML, logs) go to RESULTS
#
# OPTIONS are BenchmarkDotNet's (--filter '*Gemm*', --job short, --job dry …) plus --devices. Every benchmark runs in
# process (BenchmarkDotNet's in-process toolchain), so nothing is compiled on the GPU machine.
# Unpack on the GPU machine: tar -xJf gpu-bench.tar.xz && gpu-bench/gpu-bench.sh run results
set -euo pipefail

cmd="${1:-}"
case "$cmd" in
  publish)
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    out="$(realpath -m "${2:-$root/artifacts/gpu-bench}")"
    rm -rf "$out" "$out.tar.xz"
    dotnet publish "$root/benchmarks/DeepLearning.Gpu.Benchmarks" -c Release -r linux-x64 --self-contained \
      -p:PublishTrimmed=true -o "$out"
    # Not needed to run: debugger support, XML docs, and what only BenchmarkDotNet's opt-in diagnosers load (the
    # disassembler: capstone, Iced, ClrMD; the EventPipe profiler: TraceEvent), 11 MB. Roslyn stays: BenchmarkDotNet's
    # config validation loads it even in process.
    rm -f "$out"/libmscordbi.so "$out"/libmscordaccore.so "$out"/*.xml "$out"/libcapstone.so "$out"/Iced.dll \
      "$out"/Microsoft.Diagnostics.Runtime.dll "$out"/Microsoft.Diagnostics.Tracing.TraceEvent.dll
    cp "${BASH_SOURCE[0]}" "$out/gpu-bench.sh"
    chmod +x "$out/gpu-bench.sh"
    tar -C "$(dirname "$out")" -cf - "$(basename "$out")" | xz -T0 -6 > "$out.tar.xz"
    echo "published $(du -sh "$out" | cut -f1) to $out, packed as $(du -h "$out.tar.xz" | cut -f1) $out.tar.xz"
    echo "on the GPU machine: tar -xJf $(basename "$out").tar.xz && $(basename "$out")/gpu-bench.sh run RESULTS"
    ;;
  run)
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    results="$(realpath -m "${2:?usage: $0 run RESULTS [options]}")"
    mkdir -p "$results"
    if command -v nvidia-smi >/dev/null 2>&1; then
      nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
    else
      echo "nvidia-smi not found: no NVIDIA driver here (CUDA rows will be missing)"
    fi
    export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
    extra=("${@:3}")
    # Everything unless the options pick (BenchmarkDotNet would otherwise ask interactively).
    case " ${extra[*]:-} " in *" --filter "*|*" -f "*) ;; *) extra=(--filter '*' "${extra[@]}") ;; esac
    rc=0
    "$here/DeepLearning.Gpu.Benchmarks" --artifacts "$results" "${extra[@]}" > "$results/console.log" 2>&1 || rc=$?
    grep -E '^(devices:|device |no GPU device)' "$results/console.log" || true
    shopt -s nullglob
    reports=("$results"/results/*-report-github.md)
    if [ ${#reports[@]} -eq 0 ]; then
      echo "no results (exit $rc); the end of $results/console.log:" >&2
      tail -n 30 "$results/console.log" >&2
      exit $(( rc == 0 ? 1 : rc ))
    fi
    for r in "${reports[@]}"; do
      echo
      echo "## $(basename "$r" -report-github.md)"
      cat "$r"
    done
    exit "$rc"
    ;;
  *)
    echo "usage: $0 publish [OUT] | $0 run RESULTS [--devices cpu,cuda:0] [BenchmarkDotNet options]" >&2
    exit 2
    ;;
esac
