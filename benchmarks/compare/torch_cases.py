#!/usr/bin/python3
"""Ours vs PyTorch / NumPy (OpenBLAS), case by case, in one table: benchmarks/compare/compare.sh runs this.

Usage: torch_cases.py OURS_DLL [seconds-per-measurement] [rounds] [threads]

Method: our side runs as one long-lived process (`DeepLearning.Benchmarks compare serve`), so its JIT stays warm.
For every round and every case this script asks ours for one measurement, then takes one of the same case here,
alternating, so load on the shared machine hits both sides alike. A measurement is `seconds` of timed chunks of
>= 20 ms each (after >= 1 s of warm-up the first time a case runs); it yields the median time per iteration over its
chunks. Over the rounds each side keeps its best (lowest) median. ratio = speed ours / speed reference
= time reference / time ours, so > 1 means we are faster.
OpenBLAS/torch thread settings (OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS, OMP_WAIT_POLICY) must be in the
environment before NumPy/torch load; compare.sh sets them.
"""
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

CHUNK_SECONDS = 0.02
WARMUP_SECONDS = 1.0

# Mirrors GemmCase.All in benchmarks/DeepLearning.Benchmarks/GemmShapes.cs: name, transA, transB, m, n, k.
GEMM = [
    ("nn256", False, False, 256, 256, 256), ("nn512", False, False, 512, 512, 512),
    ("nn1024", False, False, 1024, 1024, 1024), ("nn2048", False, False, 2048, 2048, 2048),
    ("nt1024", False, True, 1024, 1024, 1024), ("tn1024", True, False, 1024, 1024, 1024),
    ("tt1024", True, True, 1024, 1024, 1024),
    ("mlp1_fwd", False, True, 128, 512, 784), ("mlp1_dW", True, False, 512, 784, 128),
    ("mlp1_dX", False, False, 128, 784, 512), ("mlp2_fwd", False, True, 128, 256, 512),
    ("mlp2_dW", True, False, 256, 512, 128), ("mlp2_dX", False, False, 128, 512, 256),
    ("inf1_fwd", False, True, 1024, 512, 784), ("inf2_fwd", False, True, 1024, 256, 512),
    ("tiny_1x10x10", False, True, 1, 10, 10),
]
SCALING = [(32, 512), (128, 512), (512, 512), (1024, 512), (128, 128), (128, 1024), (128, 2048)]


def gemm_case(ta, tb, m, n, k):
    rng = np.random.default_rng(1)
    # Stored row-major as the transposed shape and viewed through .T: NumPy hands BLAS the transpose flag.
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    opa, opb, c = (a.T if ta else a), (b.T if tb else b), np.empty((m, n), np.float32)
    return lambda: np.matmul(opa, opb, out=c)


def mlp(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def train_case(sizes, batch, adam, loss_fn=None, y=None):
    torch.manual_seed(0)
    m = mlp(sizes)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3) if adam else torch.optim.SGD(m.parameters(), lr=0.01)
    x = torch.randn(batch, sizes[0])
    y = torch.randint(0, sizes[-1], (batch,)) if y is None else y
    lf = loss_fn or torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        lf(m(x), y).backward()
        opt.step()
    return step


def infer_case(batch):
    torch.manual_seed(0)
    m, x = mlp([784, 512, 256, 10]), torch.randn(batch, 784)

    def run():
        with torch.no_grad():
            m(x)
    return run


def tiny_add():
    a, b = torch.randn(10), torch.randn(10)
    return lambda: a + b


def tiny_grad():
    x, w, b = torch.randn(10), torch.randn(10, requires_grad=True), torch.randn(10, requires_grad=True)
    return lambda: torch.autograd.grad((x * w + b).relu().sum(), [w, b])


def load_mnist(part="train"):
    """(images [N, 784] float32 in [0, 1], labels int64) from $DEEPLEARNING_DATA/mnist or shared/data/mnist."""
    import gzip
    import pathlib
    root = os.environ.get("DEEPLEARNING_DATA")
    folder = pathlib.Path(root) / "mnist" if root else next(
        p / "shared" / "data" / "mnist" for p in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]
        if (p / "shared" / "data" / "mnist").is_dir())
    with gzip.open(folder / f"{part}-images-idx3-ubyte.gz") as f:
        x = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255)
    with gzip.open(folder / f"{part}-labels-idx1-ubyte.gz") as f:
        y = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))
    return x, y


def mnist_epoch():
    """One epoch of 784-128-10 (ReLU), Adam(1e-3), batch 128 over the shuffled MNIST training set."""
    x, y = load_mnist()
    torch.manual_seed(0)
    m = mlp([784, 128, 10])
    opt, lf = torch.optim.Adam(m.parameters(), lr=1e-3), torch.nn.CrossEntropyLoss()

    def epoch():
        perm = torch.randperm(len(y))
        for i in range(0, len(y), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            lf(m(x[idx]), y[idx]).backward()
            opt.step()
    return epoch


def lstm_fwd_bwd():
    """nn.LSTM(128, 256, batch_first=True) over [64, 50, 128] from zeros; gradients of out.sum() for the weights."""
    torch.manual_seed(0)
    m, x = torch.nn.LSTM(128, 256, batch_first=True), torch.randn(64, 50, 128)

    def step():
        m.zero_grad(set_to_none=True)
        out, _ = m(x)
        out.sum().backward()
    return step


def transformer_fwd_bwd():
    """Pre-norm encoder block d=128, 4 heads, ff 512, no dropout, over [32, 64, 128]; gradients of out.sum()."""
    torch.manual_seed(0)
    m = torch.nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True, norm_first=True)
    x = torch.randn(32, 64, 128)

    def step():
        m.zero_grad(set_to_none=True)
        m(x).sum().backward()
    return step


def make(name):
    if name.startswith("gemm_"):
        return gemm_case(*next(g[1:] for g in GEMM if "gemm_" + g[0] == name))
    if name.startswith("scale_b"):
        b, w = map(int, name[len("scale_b"):].split("_w"))
        return train_case([784, w, w, 10], b, adam=False)
    return {
        "mlp_sgd": lambda: train_case([784, 512, 256, 10], 128, adam=False),
        "mlp_adam": lambda: train_case([784, 512, 256, 10], 128, adam=True),
        "mlp_infer": lambda: infer_case(1024),
        "tiny_add": tiny_add,
        "tiny_grad": tiny_grad,
        "tiny_mlp_step": lambda: train_case([10, 10, 10], 1, False, torch.nn.MSELoss(), torch.randn(1, 10)),
        "mnist_epoch": mnist_epoch,
        "mnist_epoch_loop": mnist_epoch,
        "lstm_fwd_bwd": lstm_fwd_bwd,
        "transformer_fwd_bwd": transformer_fwd_bwd,
        "cnn_sgd": cnn_sgd,
        "conv_resnet": conv_resnet,
    }[name]()


def cnn_sgd():
    """samples/MnistCnn's network, one SGD step (lr 0.01) at batch 128 on a fixed random batch."""
    torch.manual_seed(0)
    nn = torch.nn
    m = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(1600, 10))
    opt, lf = torch.optim.SGD(m.parameters(), lr=0.01), nn.CrossEntropyLoss()
    x, y = torch.rand(128, 1, 28, 28), torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad()
        lf(m(x), y).backward()
        opt.step()
    return step


def conv_resnet():
    """Conv2d 64->64 3x3 pad 1 at 32x64x56x56: gradients of sum(conv(x) * r) w.r.t. x, weight and bias."""
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(64, 64, 3, padding=1)
    x = torch.randn(32, 64, 56, 56, requires_grad=True)
    r = torch.randn(32, 64, 56, 56)
    return lambda: torch.autograd.grad((conv(x) * r).sum(), [x, conv.weight, conv.bias])


# Forward 2·N·O·OH·OW·C·kh·kw; backward twice that (input and weight gradients).
CONV_RESNET_FLOPS = 3 * 2 * 32 * 64 * 56 * 56 * 64 * 9


def mlp_flops(batch, sizes):
    """Forward 2·b·Σ in·out; backward 2× forward less the first layer's input gradient (2·b·in·out of layer 1)."""
    fwd = sum(2 * batch * a * b for a, b in zip(sizes, sizes[1:]))
    return fwd + 2 * fwd - 2 * batch * sizes[0] * sizes[1]


# name -> (unit, work per iteration, target ratio or None, label)
def describe(name):
    if name.startswith("gemm_"):
        g = next(g for g in GEMM if "gemm_" + g[0] == name)
        return "GFLOP/s", 2e-9 * g[3] * g[4] * g[5], 0.9, f"sgemm {g[0]} {g[3]}x{g[4]}x{g[5]}"
    if name.startswith("scale_b"):
        b, w = map(int, name[len("scale_b"):].split("_w"))
        return "ms/step", None, None, f"scaling b={b} W={w}"
    return {
        "mlp_sgd": ("samples/s", 128, 1.2, "MLP train step SGD b=128"),
        "mlp_adam": ("samples/s", 128, 1.2, "MLP train step Adam b=128"),
        "mlp_infer": ("samples/s", 1024, 1.0, "MLP inference b=1024"),
        "tiny_add": ("us/op", None, 0.9 / 0.3, "tiny add (10 elems)"),
        "tiny_grad": ("us/op", None, 19 / 5, "tiny (x*w+b).relu().sum() fwd+bwd"),
        "tiny_mlp_step": ("us/op", None, 59 / 15, "tiny MLP 10-10-10 step b=1 SGD"),
        "mnist_epoch": ("s/epoch", None, None, "MNIST epoch 784-128-10 Adam b=128"),
        "mnist_epoch_loop": ("s/epoch", None, None, "MNIST epoch, README's hand-written loop"),
        "lstm_fwd_bwd": ("ms/step", None, 1.2, "LSTM 128->256 b=64 T=50 fwd+bwd"),
        "transformer_fwd_bwd": ("ms/step", None, 1.0, "transformer d=128 h=4 T=64 b=32 fwd+bwd"),
        "cnn_sgd": ("samples/s", 128, 1.5, "MNIST CNN train step SGD b=128"),
        "conv_resnet": ("GFLOP/s", 1e-9 * CONV_RESNET_FLOPS, 1.0, "Conv2D 32x64x56x56 3x3 fwd+bwd"),
    }[name]


class Torch:
    def __init__(self):
        self.warm = {}

    def measure(self, name, seconds):
        if name not in self.warm:
            f, done, n, t0 = make(name), 0, 1, time.perf_counter()
            while time.perf_counter() - t0 < WARMUP_SECONDS:
                for _ in range(n):
                    f()
                done, n = done + n, min(n * 2, 1 << 20)
            self.warm[name] = (f, (time.perf_counter() - t0) / done)
        f, per = self.warm[name]
        reps = max(1, int(CHUNK_SECONDS / per))
        times, start = [], time.perf_counter()
        while len(times) < 3 or time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            for _ in range(reps):
                f()
            times.append((time.perf_counter() - t0) / reps)
        med = statistics.median(times)
        self.warm[name] = (f, med)
        return med


class Ours:
    def __init__(self, dll, threads):
        self.p = subprocess.Popen(["dotnet", dll, "compare", "serve", str(threads)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)
        self.header = self.p.stdout.readline().strip()

    def measure(self, name, seconds):
        self.p.stdin.write(f"{name} {seconds}\n")
        parts = self.p.stdout.readline().split()
        if not parts or parts[0] != name:
            sys.exit(f"torch_cases.py: our side answered {parts!r} for {name}")
        return float(parts[1]), float(parts[4])

    def close(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.close()
        self.p.wait()


class ColdStart:
    """DESIGN.md §1's program as a user's first run: each run is a fresh process, ours then PyTorch's, alternating.

    Ours: `dotnet OURS_DLL compare cold EPOCHS THREADS` (benchmarks/DeepLearning.Benchmarks/ColdStart.cs); PyTorch's:
    `torch_cold.py EPOCHS THREADS`. Both print `cold start_s load_s train_s train_cpu_s accuracy epoch_s...`; the
    training clock starts after the data is loaded. Process wall time (start to exit, import and load included) is
    measured here. Each side reports the median over its runs.
    """
    EPOCHS = 5

    def __init__(self, dll, threads):
        here = os.path.dirname(os.path.abspath(__file__))
        self.commands = {
            "ours": ["dotnet", dll, "compare", "cold", str(self.EPOCHS), str(threads)],
            "torch": [sys.executable, os.path.join(here, "torch_cold.py"), str(self.EPOCHS), str(threads)],
        }
        self.runs = {"ours": [], "torch": []}

    def run(self, side):
        t0 = time.perf_counter()
        out = subprocess.run(self.commands[side], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        lines = [line for line in out.stdout.splitlines() if line.startswith("cold ")]
        if out.returncode != 0 or not lines:
            sys.exit(f"torch_cases.py: cold start ({side}) failed: {out.stdout[-2000:]}{out.stderr[-2000:]}")
        f = [float(v) for v in lines[0].split()[1:]]
        self.runs[side].append({"wall": wall, "start": f[0], "load": f[1], "train": f[2], "cpu": f[3], "accuracy": f[4],
                                "epochs": f[5:]})

    def pair(self, count):
        for _ in range(count):
            self.run("ours")
            self.run("torch")

    def median(self, side, key):
        return statistics.median(r[key] for r in self.runs[side])

    def epoch_medians(self, side):
        return [statistics.median(r["epochs"][e] for r in self.runs[side]) for e in range(self.EPOCHS)]


def main():
    dll = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    cases = [n.strip() for n in os.environ.get("COMPARE_CASES", "").split(",") if n.strip()] or (
        ["gemm_" + g[0] for g in GEMM] + ["mlp_sgd", "mlp_adam", "mlp_infer", "tiny_add", "tiny_grad", "tiny_mlp_step", "mnist_epoch", "lstm_fwd_bwd", "transformer_fwd_bwd", "mnist_epoch_loop", "cnn_sgd", "conv_resnet"]
        + ["cold_start"] + [f"scale_b{b}_w{w}" for b, w in SCALING])
    with open("/proc/self/maps", encoding="utf-8") as maps:
        blas = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
    ours, ref, cold = Ours(dll, threads), Torch(), ColdStart(dll, threads)
    cold_pairs = int(os.environ.get("COMPARE_COLD_RUNS", "2"))
    best_ours, best_ref, alloc = {}, {}, {}
    try:
        for r in range(rounds):
            for name in cases:
                if name == "cold_start":
                    cold.pair(cold_pairs)
                    continue
                t, b = ours.measure(name, seconds)
                best_ours[name] = min(best_ours.get(name, float("inf")), t)
                alloc[name] = b
                best_ref[name] = min(best_ref.get(name, float("inf")), ref.measure(name, seconds))
            print(f"# round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    finally:
        ours.close()
    print(f"# ours: {ours.header}")
    print(f"# reference: torch {torch.__version__} (threads={torch.get_num_threads()}), numpy {np.__version__}; "
          f"BLAS loaded: {', '.join(blas) or 'none'}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')} OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}")
    print(f"# {rounds} rounds alternating ours/reference per case, {seconds}s per measurement; each side's best "
          f"per-round median; ratio = speed ours / speed reference (> 1: we are faster)")
    print(f"{'case':<38} {'ours':>10} {'reference':>10} {'unit':<10} {'ratio':>6} {'target':>7} {'verdict':<7} {'ours B/it':>10}")
    for name in cases:
        if name == "cold_start":
            for key, label in (("train", "MNIST cold start §1 5 epochs, training"), ("wall", "MNIST cold start §1, process wall")):
                o, t = cold.median("ours", key), cold.median("torch", key)
                target = 1.3 if key == "train" else None
                verdict = "" if target is None else ("met" if t / o >= target else "MISSED")
                tgt = "" if target is None else f">={target:.2f}"
                print(f"{label:<38} {o:>10.3f} {t:>10.3f} {'s':<10} {t / o:>6.2f} {tgt:>7} {verdict:<7} {'':>10}")
            continue
        unit, work, target, label = describe(name)
        o, t = best_ours[name], best_ref[name]
        if unit in ("GFLOP/s", "samples/s"):
            vo, vt = work / o, work / t
            fmt = "{:>10.1f}" if unit == "GFLOP/s" else "{:>10.0f}"
        else:
            scale = {"us/op": 1e6, "s/epoch": 1.0}.get(unit, 1e3)
            vo, vt = o * scale, t * scale
            fmt = "{:>10.3f}" if unit in ("us/op", "s/epoch") else "{:>10.2f}"
        ratio = t / o
        verdict = "" if target is None else ("met" if ratio >= target else "MISSED")
        tgt = "" if target is None else f">={target:.2f}"
        print(f"{label:<38} {fmt.format(vo)} {fmt.format(vt)} {unit:<10} {ratio:>6.2f} {tgt:>7} {verdict:<7} {alloc[name]:>10.0f}")
    if "cold_start" in cases:
        print()
        n = len(cold.runs["ours"])
        print(f"# cold start: DESIGN.md §1 (784-128-10, Dropout 0.2, Adam 1e-3, batch 128 shuffled, {ColdStart.EPOCHS} epochs), "
              f"a fresh process per run, {n} runs per side alternating ours/PyTorch, medians")
        print(f"{'side':<6} {'train s':>8} {'best':>7} {'train cpu s':>11} {'load s':>7} {'start s':>8} {'wall s':>7} {'accuracy':>8}  epoch s")
        for side in ("ours", "torch"):
            best = min(r["train"] for r in cold.runs[side])
            epochs = " ".join(f"{e:.3f}" for e in cold.epoch_medians(side))
            print(f"{side:<6} {cold.median(side, 'train'):>8.3f} {best:>7.3f} {cold.median(side, 'cpu'):>11.3f} "
                  f"{cold.median(side, 'load'):>7.3f} {cold.median(side, 'start'):>8.3f} {cold.median(side, 'wall'):>7.3f} "
                  f"{cold.median(side, 'accuracy'):>8.4f}  {epochs}")
    scaling = [n for n in cases if n.startswith("scale_b")]
    if scaling:
        print()
        print("# scaling, 784-W-W-10 SGD step; FLOPs = fwd 2b*sum(in*out) + bwd 2*fwd - 2b*784*W (no input gradient)")
        print(f"{'case':<22} {'GFLOP/step':>10} {'ours ms':>9} {'ours ms/GFLOP':>14} {'torch ms':>9} {'torch ms/GFLOP':>15}")
        for name in scaling:
            b, w = map(int, name[len("scale_b"):].split("_w"))
            gf = mlp_flops(b, [784, w, w, 10]) / 1e9
            o, t = best_ours[name] * 1e3, best_ref[name] * 1e3
            print(f"b={b:<5} W={w:<12} {gf:>10.3f} {o:>9.3f} {o / gf:>14.2f} {t:>9.3f} {t / gf:>15.2f}")


if __name__ == "__main__":
    main()
