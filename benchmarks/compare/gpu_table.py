#!/usr/bin/env python3
"""One markdown table of ratios from the TSVs of DeepLearning.GpuCompare (ours on the GPU, ours on the CPU) and
torch_gpu.py (PyTorch on the same GPU), as scripts/gpu-check.sh run writes them. Standard library only: the GPU
machine may have no more than python3.

Usage: gpu_table.py OURS_GPU.tsv OURS_CPU.tsv TORCH.tsv [OURS_GPU_NO_CUBLAS.tsv]

ratio = PyTorch's time / ours (> 1: ours faster). Targets are issue 11's, for CUDA on an H100/H200. A missing or empty
file leaves its columns as "-" and says so under the table; ours is printed regardless.
"""
import os
import sys

# Issue 11: GEMM 4096 FP32 >= 0.95x torch.mm; MLP step at batch 1024 >= 1.0x PyTorch eager, at batch 128 >= 0.8x.
TARGETS = {"gemm4096": 0.95, "mlp_adam_b1024": 1.0, "mlp_adam_b128": 0.8}


def read(path):
    """(comments, device, {case: row}) of one TSV; empty when the file is missing or has no rows."""
    comments, rows, header, device = [], {}, None, None
    if not path or not os.path.isfile(path):
        return comments, device, rows
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                comments.append(line)
            elif line.startswith("case\t"):
                header = line.split("\t")
            elif header and "\t" in line:
                row = dict(zip(header, line.split("\t")))
                rows[row["case"]] = row
                device = device or row.get("device")
    return comments, device, rows


def ms(row):
    """Milliseconds per iteration as a float, or None when absent or not applicable."""
    try:
        return float(row["ms_per_it"])
    except (TypeError, KeyError, ValueError):
        return None


def cell(row, key="ms_per_it"):
    return row.get(key, "-") if row else "-"


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    paths = argv[1:]
    (gc, gdev, gpu), (_, cdev, cpu), (tc, tdev, torch) = (read(p) for p in paths[:3])
    nc_c, _, nocublas = read(paths[3]) if len(paths) > 3 else ([], None, {})
    gdev, cdev, tdev = gdev or "GPU", cdev or "cpu", tdev or "(none)"
    for c in gc + tc:
        print(c)
    print()
    print(f"| case | ours {gdev} ms | PyTorch {tdev} ms | ratio torch/ours | target | verdict | launches/step | ours {cdev} ms |")
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    cases = list(dict.fromkeys([*gpu, *torch, *cpu]))
    rows = [(c, c, gpu.get(c)) for c in cases]
    rows += [(c, f"{c} (ILGPU kernel, no cuBLAS)", nocublas[c]) for c in nocublas if ms(nocublas[c]) is not None]
    for case, label, ours in rows:
        ref = torch.get(case)
        o, t = ms(ours), ms(ref)
        ratio = (f"{t / o:.2f}" if t / o >= 0.1 else f"{t / o:.2g}") if o and t else ("n/a" if "n/a" in (cell(ours), cell(ref)) else "-")
        target = TARGETS.get(case) if label == case else None
        verdict = ("met" if t / o >= target else "missed") if target and o and t else "-"
        print(f"| {label} | {cell(ours)} | {cell(ref)} | {ratio} | {f'>= {target:.2f}' if target else '-'} | {verdict} | "
              f"{cell(ours, 'launches_per_it')} | {cell(cpu.get(case))} |")
    print()
    print("ratio = PyTorch ms / ours ms (> 1: ours faster); launches/step: kernels and cuBLAS calls ours queues per iteration.")
    for path, rows_, what in ((paths[0], gpu, "ours on the GPU"), (paths[1], cpu, "ours on the CPU"), (paths[2], torch, "PyTorch")):
        if not rows_:
            print(f"{what}: no results in {path} (not run, or failed: see the log beside it); its columns show '-'.")
    if gpu and (not gdev.startswith("cuda") or torch and not tdev.startswith("torch-cuda")):
        torch_on = f" and PyTorch on {tdev}" if torch else ""
        print(f"The targets are for CUDA on an H100/H200; here ours ran on {gdev}{torch_on}, so the verdicts only show "
              "the table works.")


if __name__ == "__main__":
    main(sys.argv)
