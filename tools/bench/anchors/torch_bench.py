#!/usr/bin/env python3
"""PyTorch anchor of tools/bench: times the bench's workloads in PyTorch (CPU, float32) and prints one JSON object per
line, which the Node side (src/backends/torch.ts) parses. Also exports the ONNX files the ONNX Runtime anchor times.

    /usr/bin/python3 tools/bench/anchors/torch_bench.py --workloads resnet18-infer,resnet18-train [--runs 5] [--warmup 2] [--threads 2]
    /usr/bin/python3 tools/bench/anchors/torch_bench.py --export-onnx DIR --workloads resnet18-infer,mobilenet-infer

Workloads are the same as the Node side's (src/workloads/): same shapes, batch sizes, optimizers and modes. The
models: torchvision's resnet18 (the architecture of @cnn/models' ResNet('resnet18')) and MobileNetV1 below, written
to match packages/models/src/architectures/mobilenet.ts layer for layer (4,231,976 parameters at 1000 classes,
checked at start). Weights are random: speed does not depend on them.

Output lines: {"workload", "backend": "torch", "status": "ok", "medianMs", "minMs", "runsMs", "threads", "version"};
{"workload", "status": "skipped", "reason"} for a workload it does not know; {"status": "not-installed", "reason"} when
torch or torchvision cannot be imported (CI has neither); {"exported": path} for each ONNX file written.
"""
import argparse
import json
import os
import statistics
import sys
import time


def emit(obj):
    print(json.dumps(obj), flush=True)


try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torchvision
except ImportError as err:  # CI and most machines: say so, and let the bench go on
    emit({"status": "not-installed", "reason": f"PyTorch: {err}"})
    sys.exit(0)


class SeparableBlock(nn.Module):
    """Depthwise 3x3 conv, BN, ReLU, pointwise 1x1 conv, BN, ReLU: @cnn/models' DepthwiseSeparableBlock."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False)
        self.bn1 = nn.BatchNorm2d(cin)
        self.relu1 = nn.ReLU()
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU()

    def forward(self, x):
        return self.relu2(self.bn2(self.pointwise(self.relu1(self.bn1(self.depthwise(x))))))


BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
          (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


class MobileNetV1(nn.Module):
    """@cnn/models' MobileNetV1 (alpha 1, imagenet stem, dropout 0): stem, 13 separable blocks, avgpool, fc."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        blocks, ch = [], 32
        for out, stride in BLOCKS:
            blocks.append(SeparableBlock(ch, out, stride))
            ch = out
        self.blocks = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(ch, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.blocks(self.stem(x))), 1))


MOBILENET_PARAMS = 4_231_976  # packages/models/src/architectures/mobilenet.ts


def mobilenet():
    m = MobileNetV1()
    n = sum(p.numel() for p in m.parameters())
    if n != MOBILENET_PARAMS:
        raise SystemExit(f"torch_bench.py: MobileNetV1 has {n} parameters, @cnn/models' has {MOBILENET_PARAMS}")
    return m


class MnistNet(nn.Module):
    """PyTorch's MNIST example net (src/workloads/mnist-step.ts)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        x = F.dropout(torch.flatten(x, 1), 0.25, self.training)
        return self.fc2(F.dropout(F.relu(self.fc1(x)), 0.5, self.training))


def infer_step(model):
    model.eval()
    x = torch.randn(1, 3, 224, 224)

    def run():
        with torch.no_grad():
            model(x)
    return run


def train_step(model, batch, opt):
    model.train()
    x = torch.randn(batch, *((3, 224, 224) if batch != 64 else (1, 28, 28)))
    target = torch.randint(0, 1000 if batch != 64 else 10, (batch,))

    def run():
        opt.zero_grad()
        F.cross_entropy(model(x), target).backward()
        opt.step()
    return run


def w1_step(backward):
    x = torch.rand(32, 32, 32, 32) * 2 - 1
    w = torch.rand(64, 32, 3, 3) * 2 - 1
    dy = torch.rand(32, 64, 32, 32) * 2 - 1
    x.requires_grad_(backward)
    w.requires_grad_(backward)

    def run():
        if backward:
            y = F.conv2d(x, w, padding=1)
            torch.autograd.grad(y, (x, w), dy)
        else:
            with torch.no_grad():
                F.conv2d(x, w, padding=1)
    return run


def build(name):
    if name == "resnet18-infer":
        return infer_step(torchvision.models.resnet18())
    if name == "mobilenet-infer":
        return infer_step(mobilenet())
    if name == "resnet18-train":
        m = torchvision.models.resnet18()
        return train_step(m, 16, torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9))
    if name == "mnist-step":
        m = MnistNet()
        return train_step(m, 64, torch.optim.Adam(m.parameters(), lr=1e-3))
    if name in ("w1-fwd", "w1-fwdbwd"):
        return w1_step(name == "w1-fwdbwd")
    return None


ONNX_MODELS = {"resnet18-infer": ("resnet18.onnx", torchvision.models.resnet18), "mobilenet-infer": ("mobilenet-v1.onnx", mobilenet)}


def export_onnx(directory, workloads):
    os.makedirs(directory, exist_ok=True)
    for w in workloads:
        if w not in ONNX_MODELS:
            continue
        file, make = ONNX_MODELS[w]
        path = os.path.join(directory, file)
        if not os.path.exists(path):
            tmp = path + ".tmp"
            torch.onnx.export(make().eval(), torch.randn(1, 3, 224, 224), tmp, opset_version=13,
                              input_names=["input"], output_names=["logits"])
            os.replace(tmp, path)
        emit({"workload": w, "exported": path})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--export-onnx", metavar="DIR")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    workloads = a.workloads.split(",")
    if a.export_onnx:
        return export_onnx(a.export_onnx, workloads)
    for w in workloads:
        run = build(w)
        if run is None:
            emit({"workload": w, "status": "skipped", "reason": f"torch_bench.py has no workload '{w}'"})
            continue
        for _ in range(a.warmup):
            run()
        times = []
        for _ in range(max(1, a.runs)):
            t0 = time.perf_counter()
            run()
            times.append((time.perf_counter() - t0) * 1000)
        emit({"workload": w, "backend": "torch", "status": "ok", "medianMs": statistics.median(times), "minMs": min(times),
              "runsMs": times, "threads": torch.get_num_threads(), "version": torch.__version__})


if __name__ == "__main__":
    main()
