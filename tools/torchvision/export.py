#!/usr/bin/python3
"""Export PyTorch / torchvision oracles for the @cnn/models tests (packages/models/test/fixtures/).

Run with Debian's interpreter (python3-torch, python3-torchvision):  /usr/bin/python3 tools/torchvision/export.py

Writes
  torchvision-shapes.json  state-dict names, shapes and dtypes (parameters and buffers, in order) and parameter
                           counts of torchvision's alexnet, resnet18, resnet34 and of PyTorch's MNIST example Net.
  forward.json             logits of full-size networks under deterministic pseudo-weights (see below), eval mode:
                           resnet18 (1000 classes, 1x3x64x64), resnet18 with the CIFAR stem (10 classes, 1x3x32x32),
                           alexnet (1000 classes, 1x3x96x96), the MNIST example Net (2x1x28x28, logits before
                           log_softmax). Computed in float64 on the float32 weights ("logits") and, for reference,
                           in float32 ("logits_f32").
  tiny.safetensors         the state dict of a small conv+BN+linear net (the layout of
                           models.vgg({ inChannels: 1, numClasses: 3, blocks: [[4], [8]], batchNorm: true,
                           inputSize: 8, classifier: [16] })) after 3 training steps, so BN running statistics are
                           non-trivial and num_batches_tracked is an int64 3. Written by hand (struct + json).
  tiny.json                an input for it and its eval-mode output (float64 oracle).

Pseudo-weights (no weight files are shipped; the TS test computes the same float32 values):
  h     = name hash: h = (h * 31 + ord(c)) % 10007 over the characters of the state-dict name, from 0
  a_i   = (i * 7919 + h * 104729) % 10007         for element i of the flattened tensor
  v_i   = (a_i * a_i * 31 + a_i * 17 + h) % 10007
  u_i   = v_i / 5003 - 1                           (float64, in [-1, 1.0002])
  value = rank >= 2 (conv / linear weight):  u * sqrt(6 / fan_in), fan_in = prod(shape[1:])
          batch-norm weight: 1 + 0.25 u;  batch-norm bias: 0.1 u;  other rank-1 (biases): 0.1 u
          running_mean: 0.2 u;  running_var: 1 + 0.5 u;  num_batches_tracked: left at 0
          the input: u (name "input")
  every value computed in float64, then rounded to float32 (round to nearest even).
"""

import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "packages", "models", "test", "fixtures")


def name_hash(name):
    h = 0
    for c in name:
        h = (h * 31 + ord(c)) % 10007
    return h


def pseudo_u(name, n):
    h = name_hash(name)
    i = np.arange(n, dtype=np.int64)
    a = (i * 7919 + h * 104729) % 10007
    v = (a * a * 31 + a * 17 + h) % 10007
    return v.astype(np.float64) / 5003.0 - 1.0


def pseudo_value(name, shape, is_bn):
    n = int(np.prod(shape)) if len(shape) else 1
    u = pseudo_u(name, n)
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "running_var":
        v = 1.0 + 0.5 * u
    elif leaf == "running_mean":
        v = 0.2 * u
    elif len(shape) >= 2:
        v = u * math.sqrt(6.0 / int(np.prod(shape[1:])))
    elif is_bn and leaf == "weight":
        v = 1.0 + 0.25 * u
    else:
        v = 0.1 * u
    return v.astype(np.float32).reshape(shape)


def apply_pseudo(model):
    sd = model.state_dict()
    with torch.no_grad():
        for name, t in sd.items():
            if name.endswith("num_batches_tracked"):
                continue
            prefix = name.rsplit(".", 1)[0]
            is_bn = (prefix + ".running_mean") in sd
            t.copy_(torch.from_numpy(pseudo_value(name, list(t.shape), is_bn)))


def pseudo_input(shape):
    return torch.from_numpy(pseudo_u("input", int(np.prod(shape))).astype(np.float32).reshape(shape))


class MnistNet(nn.Module):
    """pytorch/examples mnist/main.py, verbatim apart from returning logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return self.fc2(x)


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2, 2),
        )
        self.classifier = nn.Sequential(nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def resnet18_cifar(num_classes):
    m = torchvision.models.resnet18(weights=None, num_classes=num_classes)
    m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    m.maxpool = nn.Identity()
    return m


def shapes(model):
    return {
        "numParameters": sum(p.numel() for p in model.parameters()),
        "stateDict": [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in model.state_dict().items()],
    }


def forward_case(name, model, config, input_shape):
    torch.manual_seed(0)
    apply_pseudo(model)
    model.eval()
    x = pseudo_input(input_shape)
    with torch.no_grad():
        y32 = model(x)
        y64 = model.double()(x.double())
    d = (y32.double() - y64).abs().max().item()
    print(f"{name}: logits |max| {y64.abs().max().item():.4g}, torch float32 vs float64 max |diff| {d:.3g}")
    return {
        "name": name,
        "config": config,
        "inputShape": input_shape,
        "logits": [float(v) for v in y64.reshape(-1).tolist()],
        "logits_f32": [float(v) for v in y32.reshape(-1).tolist()],
        "outputShape": list(y64.shape),
    }


def write_safetensors(path, state, source="tools/torchvision/export.py"):
    """A state dict as safetensors, written here because Debian has no `safetensors` package; `source` goes into the
    metadata (the script that made the file)."""
    header, chunks, offset = {"__metadata__": {"format": "pt", "source": source}}, [], 0
    codes = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8"), torch.float64: ("F64", "<f8"), torch.int32: ("I32", "<i4")}
    for k, v in state.items():
        dtype, np_dtype = codes[v.dtype]
        b = v.detach().cpu().numpy().astype(np_dtype).tobytes()
        header[k] = {"dtype": dtype, "shape": list(v.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    info = {
        "generator": f"pytorch {torch.__version__}, torchvision {torchvision.__version__}",
        "alexnet": shapes(torchvision.models.alexnet(weights=None)),
        "resnet18": shapes(torchvision.models.resnet18(weights=None)),
        "resnet34": shapes(torchvision.models.resnet34(weights=None)),
        "resnet18_cifar10": shapes(resnet18_cifar(10)),
        "mnistNet": shapes(MnistNet()),
    }
    with open(os.path.join(OUT, "torchvision-shapes.json"), "w") as f:
        json.dump(info, f, separators=(",", ":"))

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    cases = [
        forward_case("resnet18", torchvision.models.resnet18(weights=None), {"type": "resnet18", "numClasses": 1000}, [1, 3, 64, 64]),
        forward_case("resnet18-cifar", resnet18_cifar(10), {"type": "resnet18", "numClasses": 10, "stem": "cifar"}, [1, 3, 32, 32]),
        forward_case("alexnet", torchvision.models.alexnet(weights=None), {"type": "alexnet", "numClasses": 1000}, [1, 3, 96, 96]),
        forward_case("mnistCnn", MnistNet(), {"type": "mnistCnn"}, [2, 1, 28, 28]),
    ]
    with open(os.path.join(OUT, "forward.json"), "w") as f:
        json.dump({"generator": info["generator"], "tolerance": {"rtol": 1e-4, "atol": 1e-5}, "cases": cases}, f, separators=(",", ":"))

    # tiny: a real state dict (random init, 3 training steps for the BN statistics), saved as safetensors
    torch.manual_seed(1)
    tiny = Tiny()
    tiny.train()
    for _ in range(3):
        tiny(torch.randn(4, 1, 8, 8) * 2 + 0.5)
    tiny.eval()
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        y = tiny.double()(x.double())
    tiny = tiny.float()
    state = tiny.state_dict()
    assert state["features.1.num_batches_tracked"].dtype == torch.int64 and int(state["features.1.num_batches_tracked"]) == 3
    write_safetensors(os.path.join(OUT, "tiny.safetensors"), state)
    with open(os.path.join(OUT, "tiny.json"), "w") as f:
        json.dump({
            "config": {"type": "vgg", "inChannels": 1, "numClasses": 3, "blocks": [[4], [8]], "batchNorm": True, "inputSize": 8, "classifier": [16]},
            "input": {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]},
            "output": {"shape": list(y.shape), "data": [float(v) for v in y.reshape(-1).tolist()]},
        }, f, separators=(",", ":"))
    for n in sorted(os.listdir(OUT)):
        print(f"{n}: {os.path.getsize(os.path.join(OUT, n))} bytes")


if __name__ == "__main__":
    main()
