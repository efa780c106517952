#!/usr/bin/env python3
"""PyTorch's side of benchmarks/DeepLearning.GpuCompare: the same cases, timed the same way, on one device.

Usage: torch_gpu.py DEVICE [seconds] [case ...]   (DEVICE: cuda, cuda:N, cpu)
TF32 is off (PyTorch's default for matmul, and ours) except in gemm4096_tf32, which turns
torch.backends.cuda.matmul.allow_tf32 on for that case alone; on a device without TF32 that case prints "n/a" rather
than an FP32 time under its name. Training steps read the loss back (loss.item()) as ours does. Output: the same
tab-separated table (launches_per_it is ours alone: "-").
"""
import statistics
import sys
import time

import torch
from torch import nn

dev = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cuda")
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
only = set(sys.argv[3:])
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def measure(run):
    t = time.perf_counter()
    run()
    sync()
    first = time.perf_counter() - t
    t = time.perf_counter()
    while time.perf_counter() - t < min(1.0, seconds / 2):
        run()
    sync()
    per, n, total = [], 1, time.perf_counter()
    while time.perf_counter() - total < seconds or len(per) < 3:
        t = time.perf_counter()
        for _ in range(n):
            run()
        sync()
        el = time.perf_counter() - t
        if el < 0.05:
            n *= 2
            continue
        per.append(el / n)
    return first, statistics.median(per)


def step(model, batch, sample, adam):
    torch.manual_seed(4)
    model = model.to(dev)
    opt = torch.optim.Adam(model.parameters(), 1e-3) if adam else torch.optim.SGD(model.parameters(), 0.01)
    x = torch.rand((batch, *sample), device=dev)
    y = torch.randint(0, 10, (batch,), device=dev)
    loss_fn = nn.CrossEntropyLoss()

    def run():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
    return run


def gemm():
    a = torch.randn(4096, 4096, device=dev)
    b = torch.randn(4096, 4096, device=dev)
    return lambda: torch.mm(a, b)


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(1600, 10))


def dwsep():
    return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1, groups=32), nn.ReLU(),
                         nn.Conv2d(32, 64, 1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(4096, 10))


def gconv():
    return nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1, groups=4), nn.ReLU(),
                         nn.MaxPool2d(4), nn.Flatten(), nn.Linear(4096, 10))


# name, work per iteration (FLOP or samples), TF32 on, builder
CASES = [
    ("gemm4096", 2.0 * 4096 ** 3, False, gemm),
    ("gemm4096_tf32", 2.0 * 4096 ** 3, True, gemm),
    ("mlp_adam_b128", 128, False, lambda: step(mlp(), 128, (784,), True)),
    ("mlp_adam_b1024", 1024, False, lambda: step(mlp(), 1024, (784,), True)),
    ("cnn_sgd_b128", 128, False, lambda: step(cnn(), 128, (1, 28, 28), False)),
    ("dwsep_sgd_b64", 64, False, lambda: step(dwsep(), 64, (3, 32, 32), False)),
    ("gconv_sgd_b64", 64, False, lambda: step(gconv(), 64, (3, 32, 32), False)),
]

unknown = only - {c[0] for c in CASES}
if unknown:
    sys.exit(f"unknown case(s) {' '.join(sorted(unknown))}; cases: {' '.join(c[0] for c in CASES)}")
name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"
print(f"# torch {torch.__version__} on {name}")
print("case\tdevice\tfirst_ms\tms_per_it\tper_s\tlaunches_per_it")
for case, work, tf32, build in CASES:
    if only and case not in only:
        continue
    if tf32 and dev.type != "cuda":
        print(f"# {case}: not applicable on {dev.type}: TF32 is a CUDA tensor-core format")
        print(f"{case}\ttorch-{dev.type}\tn/a\tn/a\tn/a\tn/a")
        continue
    torch.backends.cuda.matmul.allow_tf32 = tf32
    try:
        first, med = measure(build())
    finally:
        torch.backends.cuda.matmul.allow_tf32 = False
    print(f"{case}\ttorch-{dev.type}\t{first * 1e3:.1f}\t{med * 1e3:.3f}\t{work / med:.0f}\t-", flush=True)
