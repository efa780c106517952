#!/usr/bin/python3
"""Side-by-side GEMM table: ours (DeepLearning.Benchmarks gemm-compare) vs NumPy's OpenBLAS, same shapes, same run.

Usage: gemm.py OURS_DLL [threads] [seconds-per-case] [rounds]
OpenBLAS settings (OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS, OMP_WAIT_POLICY) must be in the environment before
NumPy loads; gemm.sh sets them. Each round times both libraries once per case; the best round counts.
"""
import os
import subprocess
import sys
import time

import numpy as np

# Mirrors GemmCase.All in benchmarks/DeepLearning.Benchmarks/GemmShapes.cs: name, transA, transB, m, n, k.
CASES = [
    ("nn256", False, False, 256, 256, 256),
    ("nn512", False, False, 512, 512, 512),
    ("nn1024", False, False, 1024, 1024, 1024),
    ("nn2048", False, False, 2048, 2048, 2048),
    ("nt1024", False, True, 1024, 1024, 1024),
    ("tn1024", True, False, 1024, 1024, 1024),
    ("tt1024", True, True, 1024, 1024, 1024),
    ("mlp1_fwd", False, True, 128, 512, 784),
    ("mlp1_dW", True, False, 512, 784, 128),
    ("mlp1_dX", False, False, 128, 784, 512),
    ("mlp2_fwd", False, True, 128, 256, 512),
    ("mlp2_dW", True, False, 256, 512, 128),
    ("mlp2_dX", False, False, 128, 512, 256),
    ("inf1_fwd", False, True, 1024, 512, 784),
    ("inf2_fwd", False, True, 1024, 256, 512),
    ("tiny_1x10x10", False, True, 1, 10, 10),
]


SEEN = set()


def numpy_gflops(seconds):
    out = {}
    rng = np.random.default_rng(1)
    for name, ta, tb, m, n, k in CASES:
        # Stored row-major as the transposed shape, then viewed through .T: NumPy hands BLAS the transpose flag.
        a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
        opa, opb = (a.T if ta else a), (b.T if tb else b)
        c = np.empty((m, n), np.float32)
        np.matmul(opa, opb, out=c)
        flops = 2.0 * m * n * k
        reps = max(1, int(2e7 / flops))
        best = float("inf")
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            for _ in range(reps):
                np.matmul(opa, opb, out=c)
            best = min(best, (time.perf_counter() - t0) / reps)
        out[name] = flops / best / 1e9
    return out


def ours_gflops(dll, threads, seconds):
    res = subprocess.run(["dotnet", dll, "gemm-compare", str(threads), str(seconds)],
                         check=True, capture_output=True, text=True)
    out = {}
    for line in res.stdout.splitlines():
        if line.startswith("#"):
            if line not in SEEN:
                SEEN.add(line)
                print(line)
            continue
        name, gflops = line.split()[:2]
        out[name] = float(gflops)
    return out


def main():
    dll = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    np.matmul(np.ones((64, 64), np.float32), np.ones((64, 64), np.float32))
    with open("/proc/self/maps", encoding="utf-8") as maps:
        blas_libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    print("# BLAS loaded:", ", ".join(blas_libs) or "none found")
    if not any("openblas" in lib for lib in blas_libs):
        sys.exit("gemm.py: NumPy is not using OpenBLAS (install libopenblas0-pthread)")
    ours, blas = {}, {}
    for _ in range(rounds):
        for name, g in ours_gflops(dll, threads, seconds).items():
            ours[name] = max(ours.get(name, 0.0), g)
        for name, g in numpy_gflops(seconds).items():
            blas[name] = max(blas.get(name, 0.0), g)
    print(f"# threads={threads} OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} "
          f"numpy={np.__version__}; best of {rounds} rounds x {seconds}s per case; GFLOP/s = 2mnk/time")
    print(f"{'case':<14} {'m':>5} {'n':>5} {'k':>5}  {'ours':>8} {'OpenBLAS':>9} {'ratio':>6}")
    for name, ta, tb, m, n, k in CASES:
        o, b = ours.get(name, 0.0), blas.get(name, 0.0)
        print(f"{name:<14} {m:>5} {n:>5} {k:>5}  {o:>8.1f} {b:>9.1f} {o / b if b else 0:>6.2f}")


if __name__ == "__main__":
    main()
