#!/usr/bin/python3
"""Load a folder written by saveModel (@cnn/models/node) into the matching torchvision model, strictly.

  /usr/bin/python3 tools/torchvision/load_in_torch.py runs/r18 [--input io.json]

Supports config types resnet18 / resnet34 (either stem) and alexnet. Reads model.safetensors with struct + json only
(no `safetensors` package). With --input FILE (JSON { "x": [...], "shape": [...], "y": [...] }) it also runs the
model in eval mode and prints the largest difference from "y". Exit status 0 when every key matched.
"""
import argparse, json, os, struct, sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

DT = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header, data = json.loads(b[8:8 + n]), b[8 + n:]
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[s:e], dtype=DT[v["dtype"]]).reshape(v["shape"]).copy())
    return out


def build(cfg):
    t = cfg["type"]
    if t in ("resnet18", "resnet34"):
        m = getattr(torchvision.models, t)(weights=None, num_classes=cfg["numClasses"])
        if cfg.get("inChannels", 3) != 3 or cfg.get("stem") == "cifar":
            cifar = cfg.get("stem") == "cifar"
            m.conv1 = nn.Conv2d(cfg.get("inChannels", 3), 64, 3 if cifar else 7, 1 if cifar else 2, 1 if cifar else 3, bias=False)
            if cifar:
                m.maxpool = nn.Identity()
        return m
    if t == "alexnet" and cfg.get("inChannels", 3) == 3:
        return torchvision.models.alexnet(weights=None, num_classes=cfg["numClasses"])
    sys.exit(f"unsupported config for this check: {cfg}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--input")
    a = p.parse_args()
    cfg = json.load(open(os.path.join(a.dir, "config.json")))
    m = build(cfg)
    print(m.load_state_dict(read_safetensors(os.path.join(a.dir, "model.safetensors")), strict=True))
    if a.input:
        io = json.load(open(a.input))
        m.eval()
        with torch.no_grad():
            y = m(torch.tensor(io["x"], dtype=torch.float32).reshape(io["shape"])).numpy().ravel()
        print("max |diff| vs y:", float(np.abs(y - np.array(io["y"])).max()))


if __name__ == "__main__":
    main()
