#!/usr/bin/env python3
"""PyTorch's side of benchmarks/DeepLearning.GpuCompare: the same cases, timed the same way, on one device.

Usage: torch_gpu.py DEVICE [seconds]   (DEVICE: cuda, cpu)
TF32 stays off (PyTorch's default for matmul), as in ours. Training steps read the loss back (loss.item()) as
ours does. Output: the same tab-separated table.
"""
import statistics
import sys
import time

import torch
from torch import nn

dev = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cuda")
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


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
    return lambda: a @ b


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(1600, 10))


CASES = [
    ("gemm4096", 2.0 * 4096 ** 3, gemm),
    ("mlp_adam_b256", 256, lambda: step(mlp(), 256, (784,), True)),
    ("mlp_adam_b4096", 4096, lambda: step(mlp(), 4096, (784,), True)),
    ("cnn_sgd_b128", 128, lambda: step(cnn(), 128, (1, 28, 28), False)),
]

print(f"# torch {torch.__version__} on {torch.cuda.get_device_name() if dev.type == 'cuda' else 'cpu'}")
print("case\tdevice\tfirst_ms\tms_per_it\tper_s")
for name, work, build in CASES:
    first, med = measure(build())
    print(f"{name}\ttorch-{dev.type}\t{first * 1e3:.1f}\t{med * 1e3:.3f}\t{work / med:.0f}")
