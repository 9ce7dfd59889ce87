#!/usr/bin/python3
"""A torchvision ResNet-18 *state dict* (not an ONNX file) and PyTorch's logits, for test/export-torchvision-resnet18.test.ts:
the state dict is loaded into cnn's `models.resnet18`, exported with `exportOnnx` and run in ONNX Runtime, which must
give PyTorch's logits. This checks the torchvision → cnn → ONNX path end to end (names, layouts, eval-mode batch norm).

Run with Debian's python3-torch 1.13 / python3-torchvision 0.14 (nothing is downloaded):

    /usr/bin/python3 packages/onnx/scripts/make_resnet18_state_dict.py          # test/fixtures/ (committed, 70 KB)
    /usr/bin/python3 packages/onnx/scripts/make_resnet18_state_dict.py --large  # fixtures-large/ (gitignored, 47 MB)

Committed (always checked in CI): resnet18_pseudo.json — torchvision's resnet18 (1000 classes) filled with the
deterministic pseudo-weights of tools/torchvision/export.py (a formula of the state-dict name and element index,
running statistics included; the TS test computes the same float32 values by name, so no weight file is shipped and a
wrong name gives other weights), an input of 1x3x64x64 and PyTorch's float32 logits.

Large (checked when present): resnet18_torchvision.safetensors — torchvision's own random init under
torch.manual_seed(0), batch-norm running statistics and affine parameters made non-trivial — and
resnet18_torchvision.json with an input of 1x3x224x224 and PyTorch's float32 logits.

JSON layout as make_fixtures.py: {"input": T, "outputs": {"logits": T}, "stateDictNames": [torchvision's names, in
order]} with T = {"shape", "base64": float32 LE}.
"""
import argparse
import copy
import json
import os
import sys

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools", "torchvision"))
from make_fixtures import enc, nontrivial_bn  # noqa: E402  (same directory)
from export import apply_pseudo, pseudo_input, write_safetensors  # noqa: E402  (tools/torchvision/export.py)


def record(model, x, path):
    model.eval()
    with torch.no_grad():
        y = model(x)
        y64 = copy.deepcopy(model).double()(x.double())
    d = (y.double() - y64).abs().max().item()
    print(f"{os.path.basename(path)}: logits |max| {y.abs().max().item():.4g}, torch float32 vs float64 max |diff| {d:.3g}")
    with open(path, "w") as f:
        json.dump({"input": enc(x), "outputs": {"logits": enc(y)}, "stateDictNames": list(model.state_dict().keys())}, f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--large", action="store_true", help="a real (random-init) state dict, into fixtures-large/")
    args = p.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if args.large:
        out = os.path.join(HERE, "..", "fixtures-large")
        os.makedirs(out, exist_ok=True)
        torch.manual_seed(0)
        m = torchvision.models.resnet18(weights=None)
        nontrivial_bn(m, torch.Generator().manual_seed(1))
        x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(2))
        write_safetensors(os.path.join(out, "resnet18_torchvision.safetensors"), m.state_dict(), source="packages/onnx/scripts/make_resnet18_state_dict.py")
        record(m, x, os.path.join(out, "resnet18_torchvision.json"))
    else:
        m = torchvision.models.resnet18(weights=None)
        apply_pseudo(m)
        record(m, pseudo_input([1, 3, 64, 64]), os.path.join(HERE, "..", "test", "fixtures", "resnet18_pseudo.json"))


if __name__ == "__main__":
    sys.exit(main())
