#!/usr/bin/python3
"""DESIGN.md §1's program in PyTorch as a user's first run: torch_cases.py's cold_start case runs it in a fresh process.

Usage: torch_cold.py [epochs=5] [threads=2]
MNIST 784-128-10 (ReLU) with Dropout(0.2), Adam(1e-3), batch 128 over a shuffled randperm (PyTorch's fast idiom; a
torch.utils.data.DataLoader over a TensorDataset is several times slower), CrossEntropyLoss on the logits. Prints
`cold start_s load_s train_s train_cpu_s accuracy epoch_s...`: process start to after `import torch`, loading MNIST, the
training loop (the clock starts after the data is loaded) in wall and CPU seconds (all threads), the test accuracy, then each epoch.
"""
import gzip
import os
import pathlib
import sys
import time

import numpy as np
import torch


def since_process_start():
    """Seconds since the kernel started this process (/proc/self/stat starttime, in clock ticks since boot)."""
    with open("/proc/self/stat", encoding="ascii") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def load(part):
    root = os.environ.get("DEEPLEARNING_DATA")
    folder = pathlib.Path(root) / "mnist" if root else next(
        p / "shared" / "data" / "mnist" for p in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]
        if (p / "shared" / "data" / "mnist").is_dir())
    with gzip.open(folder / f"{part}-images-idx3-ubyte.gz") as f:
        x = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255)
    with gzip.open(folder / f"{part}-labels-idx1-ubyte.gz") as f:
        y = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))
    return x, y


def main():
    start = since_process_start()
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)

    t0 = time.perf_counter()
    x, y = load("train")
    xt, yt = load("t10k")
    load_s = time.perf_counter() - t0

    t1, cpu0 = time.perf_counter(), time.process_time()
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch_s = []
    for _ in range(epochs):
        e0 = time.perf_counter()
        perm = torch.randperm(len(y))
        for i in range(0, len(y), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        epoch_s.append(time.perf_counter() - e0)
    train_s, train_cpu = time.perf_counter() - t1, time.process_time() - cpu0

    model.eval()
    with torch.no_grad():
        accuracy = (model(xt).argmax(1) == yt).float().mean().item()
    print(f"cold {start:.4f} {load_s:.4f} {train_s:.4f} {train_cpu:.4f} {accuracy:.4f} " + " ".join(f"{t:.4f}" for t in epoch_s))


if __name__ == "__main__":
    main()
