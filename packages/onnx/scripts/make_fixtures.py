#!/usr/bin/python3
"""Exports small PyTorch models with torch.onnx.export and records an input and PyTorch's outputs, so the TypeScript
importer can be checked against PyTorch itself.

Run with Debian's python3-torch 1.13 / python3-torchvision 0.14 (nothing is downloaded: random weights from
torch.manual_seed, batch-norm running statistics made non-trivial):

    /usr/bin/python3 packages/onnx/scripts/make_fixtures.py            # test/fixtures/ (committed, small)
    /usr/bin/python3 packages/onnx/scripts/make_fixtures.py --large    # fixtures-large/ (gitignored): every
                                                                       # torchvision classifier of issue 14

Each model NAME gets NAME.onnx and NAME.json: {"input": T, "outputs": {name: T}, "train": {...}?} where T is
{"shape": [...], "base64": float32 little-endian}. "train" (the tiny CNN only) holds PyTorch's outputs in training
mode and the running statistics after that one step, to check train()/eval() switching.
"""
import argparse
import base64
import copy
import io
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def enc(t):
    a = t.detach().cpu().numpy().astype('<f4')
    return {"shape": list(a.shape), "base64": base64.b64encode(a.tobytes()).decode('ascii')}


def nontrivial_bn(model, gen):
    """Running statistics and affine parameters away from (0, 1), so a wrong use of any of them shows."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.2)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                if m.affine:
                    m.weight.copy_(1 + 0.2 * torch.randn(c, generator=gen))
                    m.bias.copy_(0.2 * torch.randn(c, generator=gen))


class TinyCnn(nn.Module):
    """Conv (groups, dilation, asymmetric-free pads), BN, the activations, both pools, Gemm, two outputs."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=1, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.pw = nn.Conv2d(8, 12, 1)
        self.conv3 = nn.Conv2d(12, 12, 3, stride=2, padding=1, groups=3)
        self.drop = nn.Dropout(0.3)
        self.fc1 = nn.Linear(12 * 3 * 3, 16)
        self.fc2 = nn.Linear(16, 5)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        x = F.relu6(self.bn2(self.dw(x)))
        x = F.hardswish(self.pw(x))
        x = F.leaky_relu(x, 0.1) + F.elu(x) * torch.sigmoid(x) - torch.tanh(x) / 2
        y = self.conv3(x)
        x = F.hardsigmoid(y) * y.clamp(min=-1.0)
        x = F.avg_pool2d(x, 2, stride=2, padding=1, count_include_pad=False, ceil_mode=True)
        x = torch.flatten(x, 1)
        x = self.drop(x)
        x = F.gelu(self.fc1(x))
        logits = self.fc2(x)
        return logits, F.log_softmax(logits, dim=1), F.softmax(logits, dim=-1)


class EncoderDecoder(nn.Module):
    """Strided conv down, ConvTranspose up, Upsample nearest and bilinear, a skip Concat."""

    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(2, 6, 3, padding=1)
        self.enc2 = nn.Conv2d(6, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.enc3 = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.up1 = nn.ConvTranspose2d(8, 6, 3, stride=2, padding=1, output_padding=1)
        self.up_near = nn.Upsample(scale_factor=2, mode='nearest')
        self.up_bil = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False)
        self.mix = nn.Conv2d(6 + 8 + 6, 4, 1)
        self.up2 = nn.ConvTranspose2d(4, 3, 4, stride=2, padding=1, groups=1)
        self.out = nn.Conv2d(3, 1, 3, padding=1)

    def forward(self, x):
        e1 = F.relu(self.enc1(x))                    # 16
        e2 = F.relu(self.bn(self.enc2(e1)))          # 8
        e3 = F.relu(self.enc3(e2))                   # 4
        u1 = F.relu(self.up1(e3))                    # 8
        n = self.up_near(e3)                         # 8
        b = self.up_bil(F.avg_pool2d(e1, 2))         # 16 -> 8 -> 16 ... pooled to 8 first, then 16: keep 8
        b = F.interpolate(b, size=(8, 8), mode='bilinear', align_corners=True)
        m = F.relu(self.mix(torch.cat([u1, n, b], dim=1)))
        y = self.up2(m)                              # 16
        return torch.sigmoid(self.out(F.pad(y, (1, 1, 1, 1), mode='reflect')[:, :, 1:-1, 1:-1]))


class ShapeArith(nn.Module):
    """Shape -> Gather -> Concat -> Reshape (channel shuffle written with x.size()), chunk (Split), transpose, mean,
    Gemm with transposes through matmul, erf, pads."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, padding=1)
        self.w = nn.Parameter(torch.randn(8, 6))

    def forward(self, x):
        x = self.conv(x)
        b, c, h, w = x.size()
        x = x.view(b, 2, c // 2, h, w).transpose(1, 2).contiguous().view(b, -1, h, w)
        a, z = x.chunk(2, dim=1)
        x = torch.cat([F.relu(a), torch.erf(z)], dim=1)
        x = F.pad(x, (1, 0, 0, 1))
        x = x.mean(dim=[2, 3], keepdim=False)
        x = x.unsqueeze(1).squeeze(1)
        return torch.matmul(x, self.w) - x[:, :6] * 0.5


def export(model, x, name, out_dir, opset, preserve=False, output_names=None, train_record=False):
    model.eval()
    with torch.no_grad():
        outs = model(x)
    if not isinstance(outs, tuple):
        outs = (outs,)
    names = output_names or [f"output{i}" if len(outs) > 1 else "output" for i in range(len(outs))]
    buf = io.BytesIO()
    kwargs = {}
    if preserve:
        # Keep BatchNormalization and Dropout nodes (EVAL export folds BN into the conv), so train()/eval() can be
        # checked; constant folding is only allowed in EVAL exports.
        kwargs = {"training": torch.onnx.TrainingMode.PRESERVE, "do_constant_folding": False}
    torch.onnx.export(model, x, buf, opset_version=opset, input_names=["input"], output_names=names, **kwargs)
    data = buf.getvalue()
    record = {"opset": opset, "input": enc(x), "outputs": {n: enc(o) for n, o in zip(names, outs)}}
    if train_record:
        m = copy.deepcopy(model)
        m.train()
        for mod in m.modules():
            if isinstance(mod, nn.Dropout):
                mod.p = 0.0  # random masks cannot match; p = 0 checks the train-mode path of everything else
        with torch.no_grad():
            touts = m(x)
        record["train"] = {
            "outputs": {n: enc(o) for n, o in zip(names, touts)},
            "state": {k: enc(v) for k, v in m.state_dict().items() if "running" in k},
        }
    with open(os.path.join(out_dir, f"{name}.onnx"), "wb") as f:
        f.write(data)
    import json
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(record, f)
    print(f"{name}: {len(data) / 1e6:.2f} MB, outputs {[tuple(o.shape) for o in outs]}")


def small(out_dir):
    for opset in (13, 14):
        torch.manual_seed(0)
        gen = torch.Generator().manual_seed(1)
        m = TinyCnn()
        nontrivial_bn(m, gen)
        x = torch.randn(2, 3, 12, 12, generator=gen)
        export(m, x, f"tiny_cnn_op{opset}", out_dir, opset, preserve=True,
               output_names=["logits", "log_probs", "probs"], train_record=True)
    for opset in (13, 14):
        torch.manual_seed(2)
        gen = torch.Generator().manual_seed(3)
        m = EncoderDecoder()
        nontrivial_bn(m, gen)
        export(m, torch.randn(1, 2, 16, 16, generator=gen), f"encoder_decoder_op{opset}", out_dir, opset)
    torch.manual_seed(4)
    gen = torch.Generator().manual_seed(5)
    export(ShapeArith(), torch.randn(2, 4, 6, 6, generator=gen), "shape_arith_op13", out_dir, 13)


def torchvision_models(out_dir, names, num_classes, size, opsets=(13, 14)):
    import torchvision.models as tvm
    for i, name in enumerate(names):
        for opset in opsets[name] if isinstance(opsets, dict) else opsets:
            torch.manual_seed(10 + i)
            gen = torch.Generator().manual_seed(20 + i)
            kwargs = {"num_classes": num_classes}
            if name == "googlenet":
                kwargs.update(aux_logits=False, init_weights=True)
            m = getattr(tvm, name)(weights=None, **kwargs)
            nontrivial_bn(m, gen)
            export(m, torch.randn(1, 3, size, size, generator=gen), f"{name}_op{opset}", out_dir, opset,
                   output_names=["logits"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--large", action="store_true", help="the torchvision classifiers, into fixtures-large/")
    args = p.parse_args()
    torch.set_grad_enabled(True)
    if args.large:
        out_dir = os.path.join(HERE, "..", "fixtures-large")
        os.makedirs(out_dir, exist_ok=True)
        torchvision_models(out_dir, ["resnet18", "mobilenet_v2", "mobilenet_v3_small", "squeezenet1_1",
                                     "shufflenet_v2_x0_5", "efficientnet_b0", "googlenet", "densenet121",
                                     "mnasnet0_5"], 1000, 224)
    else:
        out_dir = os.path.join(HERE, "..", "test", "fixtures")
        os.makedirs(out_dir, exist_ok=True)
        small(out_dir)
        # Committed torchvision fixtures: small classifiers (10 classes, 64×64 input) keep each file a few MB.
        # One opset each keeps the committed files at 4.4 MB; --large covers both opsets of every classifier.
        torchvision_models(out_dir, ["squeezenet1_1", "shufflenet_v2_x0_5"], 10, 64,
                           {"squeezenet1_1": (13,), "shufflenet_v2_x0_5": (14,)})


if __name__ == "__main__":
    sys.exit(main())
