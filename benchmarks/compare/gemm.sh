#!/usr/bin/env bash
# Ours vs NumPy/OpenBLAS on the same GEMM shapes, in one run: benchmarks/compare/gemm.sh [threads] [seconds] [rounds]
# Prints the NumPy table (case, ours GFLOP/s, OpenBLAS GFLOP/s, ratio), then an in-process paired table.
# OpenBLAS runs at its best setting on AVX-512 machines (Cooperlake kernels) with passive-waiting threads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# Debian's python3-numpy links libblas.so.3, which is the slow reference BLAS unless OpenBLAS provides it.
py=/usr/bin/python3
if ! "$py" -c "import numpy" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  apt-get update && apt-get install -y python3-numpy libopenblas0-pthread
fi

threads="${1:-2}"
dotnet build -c Release benchmarks/DeepLearning.Benchmarks -v quiet -nologo >/dev/null
dll=benchmarks/DeepLearning.Benchmarks/bin/Release/net10.0/DeepLearning.Benchmarks.dll

export OPENBLAS_CORETYPE="${GEMM_OPENBLAS_CORETYPE:-Cooperlake}"  # overrides any inherited value
export OMP_WAIT_POLICY=PASSIVE
export OPENBLAS_NUM_THREADS="$threads"
"$py" benchmarks/compare/gemm.py "$dll" "$threads" "${2:-0.5}" "${3:-2}"

# The same cases once more with OpenBLAS called from our process, alternating sample by sample: on a shared
# machine the load then hits both sides alike, so this ratio is the steadier one.
echo
GEMM_OPENBLAS=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 dotnet "$dll" gemm-compare "$threads" "${2:-0.5}"
