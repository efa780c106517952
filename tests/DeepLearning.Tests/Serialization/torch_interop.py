"""PyTorch side of the interop tests (StateDictTorchTests.cs), for Debian's python3-torch.

PyTorch 1.13 has no safetensors module, so the format is read and written here in a few lines: an 8-byte
little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} (plus __metadata__), raw LE data.

  torch_interop.py forward WEIGHTS INPUTS OUT   load our weights into the nn.Sequential, write model(x) of INPUTS['x']
  torch_interop.py train-save WEIGHTS IO        train the nn.Sequential a few steps, save its state_dict, and
                                                write IO with inputs 'x' and the eval-mode outputs 'y'
"""
import json
import struct
import sys

import torch

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
NAMES = {v: k for k, v in DTYPES.items()}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        dtype = DTYPES[e["dtype"]]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = flat.reshape(e["shape"]).clone()
    return out


def write(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def model():
    # The C# side builds Chain(Dense(4, 8), BatchNorm(8), Relu, Dense(8, 3)): the same names, 0.weight … 3.bias.
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def forward(weights, inputs, out):
    m = model()
    result = m.load_state_dict(read(weights), strict=False)
    # Our files carry everything but BatchNorm's num_batches_tracked, which eval mode never reads.
    assert not result.unexpected_keys, result.unexpected_keys
    assert all(k.endswith("num_batches_tracked") for k in result.missing_keys), result.missing_keys
    m.eval()
    with torch.no_grad():
        write(out, {"y": m(read(inputs)["x"])})


def train_save(weights, io):
    torch.manual_seed(0)
    m = model()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    x, y = torch.randn(32, 4), torch.randn(32, 3)
    for _ in range(5):
        opt.zero_grad()
        torch.nn.functional.mse_loss(m(x), y).backward()
        opt.step()
    write(weights, m.state_dict())
    m.eval()
    probe = torch.randn(6, 4)
    with torch.no_grad():
        write(io, {"x": probe, "y": m(probe)})


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"forward": forward, "train-save": train_save}[command](*args)
