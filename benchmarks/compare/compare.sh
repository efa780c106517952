#!/usr/bin/env bash
# Ours vs PyTorch / NumPy-OpenBLAS, side by side in one table (issue #5):
#   benchmarks/compare/compare.sh [seconds-per-measurement=0.5] [rounds=3] [threads=2]
# Cases: SGEMM shapes, MLP 784-512-256-10 training steps (SGD, Adam) and inference, small-op overhead, and
# 784-W-W-10 scaling. Method (interleaved rounds, best per-round median) in torch_cases.py's docstring.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# Debian's packages; /usr/bin/python3 is the interpreter they install into (a pyenv python3 on PATH lacks them).
# python3-numpy links libblas.so.3, the slow reference BLAS unless libopenblas0-pthread provides it.
py=/usr/bin/python3
if ! "$py" -c "import numpy, torch" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  apt-get update && apt-get install -y python3-torch python3-numpy libopenblas0-pthread
fi

threads="${3:-2}"
dotnet build -c Release benchmarks/DeepLearning.Benchmarks -v quiet -nologo >/dev/null
dll=benchmarks/DeepLearning.Benchmarks/bin/Release/net10.0/DeepLearning.Benchmarks.dll

# OpenBLAS's best setting on AVX-512 machines (Cooperlake kernels; overrides an inherited Haswell) with passive
# waiting threads, so idle OpenMP/OpenBLAS threads do not spin while our side runs.
export OPENBLAS_CORETYPE="${COMPARE_OPENBLAS_CORETYPE:-Cooperlake}"
export OMP_WAIT_POLICY=PASSIVE
export OPENBLAS_NUM_THREADS="$threads"
export OMP_NUM_THREADS="$threads"
exec "$py" benchmarks/compare/torch_cases.py "$dll" "${1:-0.5}" "${2:-3}" "$threads"
