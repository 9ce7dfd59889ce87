#!/usr/bin/python3
"""Generate `cnn-conformance/1` fixture files with PyTorch as the oracle.

One JSON file per op is written to packages/conformance/fixtures/<op>.json (or --out DIR).
Inputs are random float32 tensors; every op is evaluated in float64 on the float32 inputs and the
outputs / gradients are rounded to float32 before they are written.

grads[name] = d/d inputs[name] of sum(outputs[0] * gradOutputs[0]), gradOutputs[0] ~ randn.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 tools/golden/generate.py
See tools/golden/README.md.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import warnings
import zlib

import numpy as np
import torch
import torch.nn.functional as F

FORMAT = "cnn-conformance/1"
TOL = {"rtol": 1e-4, "atol": 1e-5}
TOL_BN_TRAIN = {"rtol": 1e-3, "atol": 1e-4}
MAX_ELEMS = 2000

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "packages", "conformance", "fixtures")


class Invalid(Exception):
    """A sampled configuration that torch rejects or that gives non-finite values."""


# --------------------------------------------------------------------------------------------
# tensors, cases


def t_json(t):
    a = t.detach().cpu().numpy().astype(np.float32)
    return {"shape": [int(s) for s in a.shape], "data": a.reshape(-1).astype(np.float64).tolist()}


def randn(*shape, scale=1.0):
    t = torch.randn(*shape, dtype=torch.float32)
    if scale != 1.0:
        t = (t * scale).float()
    return t


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


class OpFile:
    def __init__(self, op):
        self.op = op
        self.cases = []
        self.names = set()

    def add(self, desc, attrs, inputs, fn, grad_names, tol=TOL):
        """inputs: dict name -> float32 tensor (ordered). fn(dict of float64 tensors) -> list of outputs.

        Returns True if the case was accepted, False if torch rejected it / it is degenerate."""
        for k, v in inputs.items():
            if v.numel() > MAX_ELEMS * 2:
                raise AssertionError("tensor too large: %s %s %s" % (self.op, k, tuple(v.shape)))
        dbl = {}
        for k, v in inputs.items():
            d = v.double().clone()
            if k in grad_names:
                d.requires_grad_(True)
            dbl[k] = d
        # keep the RNG stream independent of torch's internal behaviour: draw nothing inside fn.
        try:
            outs = fn(dbl)
        except (RuntimeError, ValueError) as e:  # invalid configuration
            raise Invalid(str(e))
        outs = [o for o in outs]
        for o in outs:
            if not torch.isfinite(o).all():
                raise Invalid("non-finite output")
            if o.numel() == 0:
                raise Invalid("empty output")
            if o.numel() > MAX_ELEMS * 2:
                raise Invalid("output too large")
        go = torch.randn(tuple(outs[0].shape), dtype=torch.float32)
        case = {
            "name": None,
            "op": self.op,
            "attrs": attrs,
            "inputs": {k: t_json(v) for k, v in inputs.items()},
            "outputs": [t_json(o) for o in outs],
            "tolerance": dict(tol),
        }
        if grad_names:
            loss = (outs[0] * go.double()).sum()
            gs = torch.autograd.grad(loss, [dbl[k] for k in grad_names], allow_unused=True)
            grads = {}
            for k, g in zip(grad_names, gs):
                if g is None:
                    g = torch.zeros_like(dbl[k])
                if not torch.isfinite(g).all():
                    raise Invalid("non-finite grad")
                grads[k] = t_json(g)
            case["gradOutputs"] = [t_json(go)]
            case["grads"] = grads
        name = "%s/%s/%d" % (self.op, desc, len(self.cases))
        assert name not in self.names, name
        self.names.add(name)
        case["name"] = name
        self.cases.append(case)
        return True

    def try_add(self, *a, **kw):
        """Like add, but swallow Invalid (for randomly sampled configurations)."""
        state = torch.get_rng_state()
        try:
            return self.add(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False


# --------------------------------------------------------------------------------------------
# naming helpers


def fp(v):
    """pair / int -> '2' or '2x1'."""
    if isinstance(v, (list, tuple)):
        if len(set(v)) == 1:
            return str(v[0])
        return "x".join(str(x) for x in v)
    return str(v)


def ff(x):
    return ("%g" % x).replace("-", "m")


def shape_s(shape):
    return "x".join(str(s) for s in shape)


# --------------------------------------------------------------------------------------------
# reference implementations (float64)


def same_split(k, d):
    """PyTorch nn.ConvNd 'same' padding: total = d*(k-1), left = total//2, right = total-left."""
    total = d * (k - 1)
    left = total // 2
    return left, total - left


def conv_nd(x, w, b, stride, padding, dilation, groups, mode, nd):
    conv = F.conv2d if nd == 2 else F.conv1d
    if mode == "zeros":
        return conv(x, w, b, stride, padding, dilation, groups)
    ks = list(w.shape[2:])
    dil = list(dilation) if nd == 2 else [dilation]
    if padding == "valid":
        pads = [0] * (2 * nd)
    elif padding == "same":
        pads = []
        for k, d in reversed(list(zip(ks, dil))):  # last dim first, as F.pad wants
            pads += list(same_split(k, d))
    else:
        p = list(padding) if nd == 2 else [padding]
        pads = []
        for pi in reversed(p):
            pads += [pi, pi]
    if any(pads):
        x = F.pad(x, pads, mode=mode)
    return conv(x, w, b, stride, 0, dilation, groups)


# --------------------------------------------------------------------------------------------
# ops


def gen_conv2d(seed):
    f = OpFile("conv2d")
    rng = random.Random(seed)

    def case(N, C, H, W, O, k, s=(1, 1), p=(0, 0), d=(1, 1), g=1, mode="zeros", bias=True, tag=None):
        k = tuple(k) if isinstance(k, (list, tuple)) else (k, k)
        s = list(s) if isinstance(s, (list, tuple)) else [s, s]
        d = list(d) if isinstance(d, (list, tuple)) else [d, d]
        if not isinstance(p, str):
            p = list(p) if isinstance(p, (list, tuple)) else [p, p]
            if mode == "reflect" and (p[0] >= H or p[1] >= W):
                raise Invalid("reflect pad")
            if mode == "circular" and (p[0] > H or p[1] > W):
                raise Invalid("circular pad")
        elif p == "same":
            if s != [1, 1]:
                raise Invalid("same needs stride 1")
            if mode == "reflect":
                for kk, dd, sz in zip(k, d, (H, W)):
                    if max(same_split(kk, dd)) >= sz:
                        raise Invalid("reflect pad")
        if C % g or O % g:
            raise Invalid("groups")
        if N * C * H * W > MAX_ELEMS:
            raise Invalid("too big")
        inputs = {"input": randn(N, C, H, W), "weight": randn(O, C // g, k[0], k[1])}
        if bias:
            inputs["bias"] = randn(O)
        attrs = {"stride": s, "padding": p, "dilation": d, "groups": g, "paddingMode": mode}
        desc = "k%s-s%s-p%s-d%s-g%d-%s" % (fp(k), fp(s), fp(p), fp(d), g, mode)
        if not bias:
            desc += "-nobias"
        if tag:
            desc = tag + "-" + desc
        desc = "n%d-c%d-%s" % (N, C, desc) if tag is None else desc

        def fn(t):
            return [conv_nd(t["input"], t["weight"], t.get("bias"), s, p, d, g, mode, 2)]

        return f.add(desc, attrs, inputs, fn, list(inputs.keys()))

    def tcase(*a, **kw):
        state = torch.get_rng_state()
        try:
            return case(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False

    # curated cases
    case(2, 4, 7, 6, 5, 1, p="valid", tag="pointwise")
    case(2, 3, 8, 8, 4, 1, s=2, tag="pointwise-strided")
    case(1, 3, 9, 9, 4, 1, s=(2, 3), bias=False, tag="pointwise")
    case(2, 2, 10, 11, 3, 2, s=3, tag="stride-gt-kernel")
    case(1, 3, 12, 12, 2, (1, 2), s=(3, 4), tag="stride-gt-kernel")
    case(2, 2, 9, 10, 3, 2, s=(4, 3), p=1, tag="stride-gt-kernel")
    case(2, 3, 10, 10, 4, 3, d=2, p=2, tag="dilated")
    case(1, 2, 11, 9, 3, 3, d=(2, 3), p=(1, 2), tag="dilated")
    case(2, 2, 12, 12, 2, 2, d=4, s=2, tag="dilated")
    case(2, 4, 8, 7, 6, 3, p=1, g=2, tag="groups")
    case(1, 6, 7, 7, 6, 3, p=1, g=3, s=2, bias=False, tag="groups")
    case(2, 4, 9, 8, 4, 3, p=1, g=4, tag="depthwise")
    case(2, 4, 9, 8, 4, 5, p="same", g=4, bias=False, tag="depthwise")
    case(2, 3, 8, 8, 6, 3, s=2, p=1, g=3, tag="depthwise-mult2")
    case(1, 2, 9, 7, 6, (3, 2), p=(1, 1), g=2, mode="reflect", tag="depthwise-mult3")
    case(2, 5, 6, 6, 10, 3, p="same", g=5, mode="circular", tag="depthwise-mult2")
    case(1, 1, 8, 8, 1, 3, tag="c1-o1")
    case(1, 1, 10, 7, 3, (2, 3), s=(1, 2), p=(1, 0), tag="c1")
    case(3, 1, 5, 9, 1, (4, 1), s=(3, 1), p=(2, 2), d=(1, 3), mode="reflect", tag="c1")
    case(1, 2, 11, 10, 3, (2, 3), s=(2, 1), p=(1, 2), d=(1, 3), mode="replicate", tag="asym")
    case(1, 2, 6, 5, 4, 1, s=(3, 1), p=(0, 2), d=(2, 3), g=2, tag="asym")
    case(2, 3, 9, 12, 2, (2, 4), s=(2, 1), p=(1, 0), d=(1, 2), tag="asym")
    case(2, 2, 7, 11, 3, (5, 2), s=(1, 3), p=(2, 1), d=(1, 2), mode="circular", tag="asym")
    for mode in ("zeros", "reflect", "replicate", "circular"):
        case(2, 2, 7, 8, 3, 3, p=1, mode=mode, tag="mode")
        case(1, 4, 6, 9, 4, (3, 4), s=(2, 1), p=(2, 1), d=(1, 2), g=2, mode=mode, bias=False, tag="mode")
        case(2, 3, 8, 7, 2, 3, p="same", mode=mode, tag="same")
        case(1, 2, 9, 10, 3, (4, 2), p="same", d=(1, 3), mode=mode, tag="same-even")
        case(2, 2, 6, 8, 2, (2, 3), p="same", d=(2, 2), mode=mode, bias=False, tag="same-dil")
        case(1, 3, 7, 7, 2, 3, s=2, p="valid", mode=mode, tag="valid")
    case(1, 3, 8, 8, 4, 4, p="same", tag="same-even")
    case(2, 2, 5, 5, 3, 5, p="valid", tag="valid-full")
    case(1, 2, 4, 4, 2, 3, p=2, mode="circular", tag="circular-p2")
    case(1, 2, 3, 4, 2, 3, p=(3, 4), mode="circular", tag="circular-full")
    case(1, 2, 4, 4, 2, 3, p=3, mode="replicate", tag="replicate-big")
    case(1, 2, 4, 5, 2, 2, p=(3, 4), mode="reflect", tag="reflect-max")
    case(2, 4, 8, 9, 4, 3, s=2, p=(2, 1), d=(1, 2), g=2, mode="reflect", tag="reflect")
    case(1, 3, 7, 6, 3, (2, 4), s=(1, 3), p=(1, 3), d=(3, 1), g=3, mode="reflect", bias=False, tag="reflect")
    case(2, 1, 9, 9, 2, 3, s=3, p=2, d=2, mode="reflect", tag="reflect")

    # random cases
    modes = ["zeros", "zeros", "reflect", "replicate", "circular"]
    count = 0
    while count < 50:
        g = rng.choice([1, 1, 1, 2, 3])
        cpg = rng.randint(1, 3)
        opg = rng.randint(1, 3)
        if rng.random() < 0.15:
            g = rng.randint(2, 4)
            cpg = 1
        C, O = g * cpg, g * opg
        N = rng.randint(1, 2)
        k = (rng.randint(1, 5), rng.randint(1, 5))
        d = (rng.choice([1, 1, 2, 3]), rng.choice([1, 1, 2, 3]))
        r = rng.random()
        if r < 0.15:
            s = (1, 1)
            p = "same"
        elif r < 0.25:
            s = (rng.randint(1, 4), rng.randint(1, 4))
            p = "valid"
        else:
            s = (rng.randint(1, 4), rng.randint(1, 4))
            p = (rng.randint(0, 3), rng.randint(0, 3))
        H, W = rng.randint(3, 10), rng.randint(3, 10)
        mode = rng.choice(modes)
        bias = rng.random() < 0.75
        if tcase(N, C, H, W, O, k, s=s, p=p, d=d, g=g, mode=mode, bias=bias):
            count += 1
    return f


def gen_conv1d(seed):
    f = OpFile("conv1d")
    rng = random.Random(seed)

    def case(N, C, L, O, k, s=1, p=0, d=1, g=1, mode="zeros", bias=True, tag=None):
        if isinstance(p, int):
            if mode == "reflect" and p >= L:
                raise Invalid("reflect")
            if mode == "circular" and p > L:
                raise Invalid("circular")
        elif p == "same":
            if s != 1:
                raise Invalid("same stride")
            if mode == "reflect" and max(same_split(k, d)) >= L:
                raise Invalid("reflect")
        if C % g or O % g:
            raise Invalid("groups")
        if N * C * L > MAX_ELEMS:
            raise Invalid("big")
        inputs = {"input": randn(N, C, L), "weight": randn(O, C // g, k)}
        if bias:
            inputs["bias"] = randn(O)
        attrs = {"stride": s, "padding": p, "dilation": d, "groups": g, "paddingMode": mode}
        desc = "k%d-s%d-p%s-d%d-g%d-%s" % (k, s, p, d, g, mode)
        if not bias:
            desc += "-nobias"
        desc = (tag + "-" + desc) if tag else ("n%d-c%d-l%d-%s" % (N, C, L, desc))

        def fn(t):
            return [conv_nd(t["input"], t["weight"], t.get("bias"), s, p, d, g, mode, 1)]

        return f.add(desc, attrs, inputs, fn, list(inputs.keys()))

    def tcase(*a, **kw):
        state = torch.get_rng_state()
        try:
            return case(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False

    case(2, 2, 15, 6, 1, s=3, g=2, tag="pointwise")
    case(2, 4, 12, 3, 1, p="valid", tag="pointwise")
    case(2, 3, 16, 4, 2, s=3, tag="stride-gt-kernel")
    case(1, 2, 20, 3, 1, s=4, p=1, tag="stride-gt-kernel")
    case(2, 3, 14, 4, 3, d=2, p=2, tag="dilated")
    case(1, 2, 20, 2, 4, d=3, s=2, p=3, tag="dilated")
    case(2, 4, 10, 6, 3, p=1, g=2, tag="groups")
    case(2, 4, 11, 4, 3, p=1, g=4, tag="depthwise")
    case(1, 3, 12, 9, 5, p="same", g=3, tag="depthwise-mult3")
    case(2, 2, 9, 4, 3, s=2, g=2, mode="reflect", p=2, tag="depthwise-mult2")
    case(1, 1, 10, 1, 3, tag="c1-o1")
    case(3, 1, 13, 2, 4, p=2, tag="c1")
    case(1, 1, 9, 3, 2, p="same", tag="same-even")
    for mode in ("zeros", "reflect", "replicate", "circular"):
        case(2, 3, 11, 4, 3, p=1, mode=mode, tag="mode")
        case(1, 4, 13, 2, 4, s=2, p=3, d=2, g=2, mode=mode, bias=False, tag="mode")
        case(2, 2, 10, 3, 3, p="same", mode=mode, tag="same")
        case(1, 2, 12, 2, 4, p="same", d=3, mode=mode, tag="same-even-dil")
        case(2, 2, 8, 3, 2, p="same", mode=mode, bias=False, tag="same-even")
        case(1, 2, 9, 2, 3, s=2, p="valid", mode=mode, tag="valid")
    case(1, 2, 4, 2, 3, p=4, mode="circular", tag="circular-full")
    case(1, 2, 4, 2, 3, p=3, mode="reflect", tag="reflect-max")
    case(1, 2, 3, 2, 2, p=5, mode="replicate", tag="replicate-big")

    count = 0
    while count < 40:
        g = rng.choice([1, 1, 1, 2, 3])
        cpg, opg = rng.randint(1, 3), rng.randint(1, 3)
        C, O = g * cpg, g * opg
        N = rng.randint(1, 3)
        k = rng.randint(1, 6)
        d = rng.choice([1, 1, 2, 3])
        r = rng.random()
        if r < 0.15:
            s, p = 1, "same"
        elif r < 0.25:
            s, p = rng.randint(1, 4), "valid"
        else:
            s, p = rng.randint(1, 4), rng.randint(0, 4)
        L = rng.randint(3, 24)
        mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
        if tcase(N, C, L, O, k, s=s, p=p, d=d, g=g, mode=mode, bias=rng.random() < 0.75):
            count += 1
    return f


def pool_out(L, k, s, p, d, ceil):
    """PyTorch pooling output size (pooling_output_shape)."""
    num = L + 2 * p - d * (k - 1) - 1
    if ceil:
        o = -(-num // s) + 1
        if (o - 1) * s >= L + p:
            o -= 1
    else:
        o = num // s + 1
    return o


def gen_maxpool2d(seed):
    f = OpFile("maxPool2d")
    rng = random.Random(seed)

    def case(N, C, H, W, k, s=None, p=0, d=1, ceil=False, tag=None):
        k = list(k) if isinstance(k, (list, tuple)) else [k, k]
        s = k if s is None else (list(s) if isinstance(s, (list, tuple)) else [s, s])
        p = list(p) if isinstance(p, (list, tuple)) else [p, p]
        d = list(d) if isinstance(d, (list, tuple)) else [d, d]
        if 2 * p[0] > k[0] or 2 * p[1] > k[1]:
            raise Invalid("pad")
        if N * C * H * W > MAX_ELEMS:
            raise Invalid("big")
        attrs = {"kernelSize": k, "stride": s, "padding": p, "dilation": d, "ceilMode": ceil}
        desc = "k%s-s%s-p%s-d%s%s" % (fp(k), fp(s), fp(p), fp(d), "-ceil" if ceil else "")
        desc = (tag + "-" + desc) if tag else ("%s-%s" % (shape_s((N, C, H, W)), desc))

        def fn(t):
            return [F.max_pool2d(t["input"], k, s, p, d, ceil_mode=ceil)]

        return f.add(desc, attrs, {"input": randn(N, C, H, W)}, fn, ["input"])

    def tcase(*a, **kw):
        state = torch.get_rng_state()
        try:
            return case(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False

    case(2, 3, 8, 8, 2, tag="basic")
    case(2, 3, 7, 12, 3, s=2, p=1, d=2, ceil=True, tag="dil-ceil")
    case(2, 3, 11, 9, 2, s=1, p=1, d=2, tag="dil")
    case(1, 2, 10, 10, 2, s=3, tag="stride-gt-kernel")
    case(1, 2, 11, 13, (2, 1), s=(3, 4), ceil=True, tag="stride-gt-kernel")
    case(2, 2, 9, 9, 3, s=2, ceil=True, tag="ceil")
    case(2, 2, 9, 9, 3, s=2, ceil=False, tag="floor")
    case(1, 3, 10, 10, 2, s=2, p=1, ceil=True, tag="ceil-pad")
    case(1, 3, 8, 8, 4, s=3, p=2, ceil=True, tag="ceil-pad-max")
    case(1, 2, 7, 11, (3, 2), s=(2, 3), p=(1, 0), d=(1, 2), ceil=True, tag="asym")
    case(2, 2, 12, 9, (2, 4), s=(1, 2), p=(1, 2), d=(3, 1), tag="asym")
    case(1, 1, 6, 6, 1, s=2, tag="k1")
    case(1, 1, 5, 5, 5, s=1, tag="global")
    case(1, 4, 6, 7, 3, s=1, p=1, tag="same-size")
    # ceil mode cases where the last-window rule drops a window: (o-1)*s >= L+p
    case(1, 2, 5, 5, 2, s=2, p=1, ceil=True, tag="ceil-drop")
    case(1, 2, 6, 6, 3, s=3, p=1, d=1, ceil=True, tag="ceil-drop")
    case(1, 2, 8, 8, 2, s=3, p=1, d=2, ceil=True, tag="ceil-drop-dil")
    count = 0
    while count < 50:
        N, C = rng.randint(1, 2), rng.randint(1, 3)
        k = [rng.randint(1, 4), rng.randint(1, 4)]
        s = [rng.randint(1, 4), rng.randint(1, 4)]
        p = [rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2)]
        d = [rng.choice([1, 1, 2, 3]), rng.choice([1, 1, 2, 3])]
        H, W = rng.randint(2, 12), rng.randint(2, 12)
        if tcase(N, C, H, W, k, s, p, d, ceil=rng.random() < 0.5):
            count += 1
    return f


def gen_avgpool2d(seed):
    f = OpFile("avgPool2d")
    rng = random.Random(seed)

    def case(N, C, H, W, k, s=None, p=0, ceil=False, cip=True, tag=None):
        k = list(k) if isinstance(k, (list, tuple)) else [k, k]
        s = k if s is None else (list(s) if isinstance(s, (list, tuple)) else [s, s])
        p = list(p) if isinstance(p, (list, tuple)) else [p, p]
        if 2 * p[0] > k[0] or 2 * p[1] > k[1]:
            raise Invalid("pad")
        if N * C * H * W > MAX_ELEMS:
            raise Invalid("big")
        attrs = {"kernelSize": k, "stride": s, "padding": p, "ceilMode": ceil, "countIncludePad": cip}
        desc = "k%s-s%s-p%s%s%s" % (fp(k), fp(s), fp(p), "-ceil" if ceil else "", "-cip" if cip else "-nocip")
        desc = (tag + "-" + desc) if tag else ("%s-%s" % (shape_s((N, C, H, W)), desc))

        def fn(t):
            return [F.avg_pool2d(t["input"], k, s, p, ceil_mode=ceil, count_include_pad=cip)]

        return f.add(desc, attrs, {"input": randn(N, C, H, W)}, fn, ["input"])

    def tcase(*a, **kw):
        state = torch.get_rng_state()
        try:
            return case(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False

    for ceil in (False, True):
        for cip in (False, True):
            case(2, 3, 7, 12, 3, s=2, p=1, ceil=ceil, cip=cip, tag="combo")
            case(2, 3, 11, 9, 2, s=1, p=1, ceil=ceil, cip=cip, tag="combo")
            case(1, 2, 10, 10, 3, s=3, p=1, ceil=ceil, cip=cip, tag="combo")
            case(1, 2, 8, 11, (4, 3), s=(3, 2), p=(2, 1), ceil=ceil, cip=cip, tag="combo-asym")
            case(1, 2, 9, 9, 2, s=2, p=0, ceil=ceil, cip=cip, tag="combo-nopad")
            case(1, 2, 5, 5, 2, s=2, p=1, ceil=ceil, cip=cip, tag="combo-drop")
    case(2, 3, 8, 8, 2, tag="basic")
    case(1, 2, 10, 10, 2, s=3, tag="stride-gt-kernel")
    case(1, 2, 11, 13, (2, 1), s=(3, 4), ceil=True, tag="stride-gt-kernel")
    case(1, 1, 6, 6, 1, s=2, tag="k1")
    case(1, 1, 5, 7, (5, 7), s=1, tag="global")
    count = 0
    while count < 40:
        N, C = rng.randint(1, 2), rng.randint(1, 3)
        k = [rng.randint(1, 5), rng.randint(1, 5)]
        s = [rng.randint(1, 4), rng.randint(1, 4)]
        p = [rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2)]
        H, W = rng.randint(2, 12), rng.randint(2, 12)
        if tcase(N, C, H, W, k, s, p, ceil=rng.random() < 0.5, cip=rng.random() < 0.5):
            count += 1
    return f


def gen_adaptive(op):
    f = OpFile(op)
    fun = F.adaptive_avg_pool2d if op == "adaptiveAvgPool2d" else F.adaptive_max_pool2d
    cfgs = [
        ((2, 3, 5, 5), (5, 4), "mixed"),
        ((2, 3, 8, 8), (4, 4), "divides"),
        ((1, 2, 12, 6), (3, 2), "divides"),
        ((2, 2, 6, 9), (2, 3), "divides"),
        ((2, 2, 7, 7), (3, 3), "nondiv"),
        ((1, 3, 10, 11), (3, 4), "nondiv"),
        ((2, 2, 5, 9), (4, 5), "nondiv"),
        ((1, 2, 13, 7), (5, 6), "nondiv"),
        ((1, 2, 3, 4), (5, 7), "larger"),
        ((2, 2, 2, 3), (4, 4), "larger"),
        ((1, 1, 1, 1), (3, 2), "larger-from-1x1"),
        ((1, 3, 4, 6), (6, 4), "larger-mixed"),
        ((2, 4, 7, 5), (1, 1), "global"),
        ((1, 3, 12, 12), (1, 1), "global"),
        ((2, 2, 6, 6), (6, 6), "identity"),
        ((1, 2, 9, 10), (1, 3), "row"),
        ((1, 2, 9, 10), (4, 1), "col"),
        ((3, 1, 11, 12), (7, 5), "nondiv"),
    ]
    for shape, osz, tag in cfgs:
        desc = "%s-in%dx%d-out%dx%d" % (tag, shape[2], shape[3], osz[0], osz[1])

        def fn(t, osz=osz):
            return [fun(t["input"], list(osz))]

        f.add(desc, {"outputSize": list(osz)}, {"input": randn(*shape)}, fn, ["input"])
    return f


def gen_batchnorm2d(seed):
    f = OpFile("batchNorm2d")

    def case(shape, training, momentum=0.1, eps=1e-5, running=True, tag=""):
        N, C, H, W = shape
        inputs = {
            "input": randn(*shape, scale=1.0) + float(torch.randn(1)) * 0.5,
            "weight": randn(C),
            "bias": randn(C),
        }
        inputs["input"] = inputs["input"].float()
        if running:
            inputs["runningMean"] = randn(C)
            inputs["runningVar"] = (torch.rand(C) + 0.5).float()
        if training:
            attrs = {"training": True, "momentum": momentum, "eps": eps}
        else:
            attrs = {"training": False, "eps": eps}
        desc = "%s%s-%s-eps%s" % ("train" if training else "eval", "" if running else "-nostats", shape_s(shape), ff(eps))
        if training and running:
            desc += "-mom%s" % ff(momentum)
        if tag:
            desc += "-" + tag

        def fn(t):
            rm = t["runningMean"].detach().clone() if running else None
            rv = t["runningVar"].detach().clone() if running else None
            y = F.batch_norm(t["input"], rm, rv, t["weight"], t["bias"], training, momentum, eps)
            if training and running:
                return [y, rm, rv]
            return [y]

        tol = TOL_BN_TRAIN if training else TOL
        f.add(desc, attrs, inputs, fn, ["input", "weight", "bias"], tol)

    case((3, 2, 3, 5), True)
    case((3, 2, 3, 5), False)
    case((2, 4, 5, 5), True, momentum=0.1, eps=1e-5)
    case((2, 4, 5, 5), True, momentum=0.01, eps=1e-3)
    case((2, 4, 5, 5), True, momentum=0.5, eps=0.1)
    case((2, 4, 5, 5), True, momentum=1.0, eps=1e-5)
    case((4, 3, 2, 2), True, momentum=0.3, eps=1e-4)
    case((1, 3, 4, 4), True, tag="n1")
    case((1, 2, 3, 5), True, momentum=0.2, eps=1e-3, tag="n1")
    case((1, 5, 1, 2), True, momentum=0.1, tag="n1-hw2")
    case((8, 2, 1, 1), True, momentum=0.1, tag="hw1")
    case((2, 1, 6, 7), True, tag="c1")
    case((5, 6, 3, 3), True, momentum=0.9, eps=1e-2)
    case((2, 3, 8, 8), True, eps=1e-5, tag="larger")
    # no running stats (outputs [y] only)
    case((3, 2, 3, 5), True, running=False)
    case((2, 4, 5, 5), True, eps=1e-3, running=False)
    case((1, 3, 4, 4), True, running=False, tag="n1")
    case((6, 2, 1, 1), True, eps=0.1, running=False, tag="hw1")
    case((2, 1, 5, 6), True, running=False, tag="c1")
    # eval
    case((2, 4, 5, 5), False, eps=1e-3)
    case((2, 4, 5, 5), False, eps=0.1)
    case((1, 3, 4, 4), False, tag="n1")
    case((1, 1, 1, 1), False, tag="single")
    case((4, 6, 3, 2), False, eps=1e-5)
    case((2, 1, 7, 5), False, tag="c1")
    return f


def gen_linear(seed):
    f = OpFile("linear")
    for N, i, o in [(4, 2, 11), (1, 5, 3), (3, 1, 4), (8, 16, 10), (2, 7, 1), (5, 12, 12), (16, 32, 8), (1, 1, 1), (3, 64, 20)]:
        def fn(t):
            return [F.linear(t["input"], t["weight"], t["bias"])]

        f.add("n%d-in%d-out%d" % (N, i, o), {}, {"input": randn(N, i), "weight": randn(o, i), "bias": randn(o)}, fn,
              ["input", "weight", "bias"])
    return f


ACT_SHAPES = [((4, 3, 4, 5), 1.0), ((6, 7), 1.0), ((2, 3, 9), 2.0), ((1, 2, 5, 5), 4.0), ((3, 10), 0.5)]


def gen_activation(op):
    f = OpFile(op)
    fns = {
        "relu": F.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "gelu": lambda x: F.gelu(x, approximate="none"),
    }
    for shape, scale in ACT_SHAPES:
        fun = fns[op]
        f.add("%s-scale%s" % (shape_s(shape), ff(scale)), {}, {"input": randn(*shape, scale=scale)},
              lambda t: [fun(t["input"])], ["input"])
    if op in ("sigmoid", "tanh", "gelu"):
        fun = fns[op]
        f.add("saturate-3x8-scale12", {}, {"input": randn(3, 8, scale=12.0)}, lambda t: [fun(t["input"])], ["input"])
    return f


def gen_leakyrelu(seed):
    f = OpFile("leakyRelu")
    for i, slope in enumerate([0.1, 0.01, 0.2, 0.5, 0.0, 1.5, 0.3, 0.05]):
        shape = ACT_SHAPES[i % len(ACT_SHAPES)][0]
        f.add("slope%s-%s" % (ff(slope), shape_s(shape)), {"negativeSlope": slope}, {"input": randn(*shape)},
              lambda t, slope=slope: [F.leaky_relu(t["input"], slope)], ["input"])
    return f


def gen_elu(seed):
    f = OpFile("elu")
    for i, alpha in enumerate([1.0, 0.5, 2.0, 0.1, 1.5, 3.0]):
        shape = ACT_SHAPES[i % len(ACT_SHAPES)][0]
        f.add("alpha%s-%s" % (ff(alpha), shape_s(shape)), {"alpha": alpha}, {"input": randn(*shape, scale=2.0)},
              lambda t, alpha=alpha: [F.elu(t["input"], alpha)], ["input"])
    return f


def gen_softmax(op):
    f = OpFile(op)
    fun = F.softmax if op == "softmax" else F.log_softmax
    cfgs = [
        ((4, 11), [1, 0, -1], 1.0),
        ((1, 10), [1, 0], 1.0),
        ((3, 4, 5), [0, 1, 2, -1, -2], 1.0),
        ((2, 3, 4, 5), [0, 1, 2, 3, -1, -3], 1.0),
        ((5, 7), [1, -1], 30.0),
        ((2, 6, 3, 3), [1], 20.0),
        ((6, 1), [1, 0], 1.0),
        ((7,), [0, -1], 2.0),
    ]
    for shape, dims, scale in cfgs:
        for dim in dims:
            desc = "%s-dim%s%s" % (shape_s(shape), ("m%d" % -dim) if dim < 0 else dim, "-scale%s" % ff(scale) if scale != 1.0 else "")
            f.add(desc, {"dim": dim}, {"input": randn(*shape, scale=scale)},
                  lambda t, dim=dim: [fun(t["input"], dim=dim)], ["input"])
    return f


def gen_crossentropy(seed):
    f = OpFile("crossEntropy")
    cfgs = [
        (4, 11, "mean", 0.0, 1.0), (4, 11, "sum", 0.0, 1.0), (1, 5, "mean", 0.0, 1.0), (1, 2, "sum", 0.0, 1.0),
        (8, 3, "mean", 0.0, 1.0), (8, 3, "sum", 0.0, 1.0), (16, 10, "mean", 0.0, 1.0), (6, 12, "sum", 0.0, 2.0),
        (5, 7, "mean", 0.0, 20.0), (3, 4, "sum", 0.0, 20.0),
        (4, 11, "mean", 0.1, 1.0), (4, 11, "sum", 0.1, 1.0), (6, 5, "mean", 0.2, 1.0), (6, 5, "sum", 0.2, 1.0),
        (1, 3, "mean", 0.1, 1.0), (10, 8, "mean", 0.2, 5.0),
    ]
    for N, C, red, ls, scale in cfgs:
        attrs = {"reduction": red}
        if ls:
            attrs["labelSmoothing"] = ls
        desc = "n%d-c%d-%s%s%s" % (N, C, red, "-ls%s" % ff(ls) if ls else "", "-scale%s" % ff(scale) if scale != 1.0 else "")
        inputs = {"input": randn(N, C, scale=scale), "target": torch.randint(0, C, (N,)).float()}

        def fn(t, red=red, ls=ls):
            return [F.cross_entropy(t["input"], t["target"].long(), reduction=red, label_smoothing=ls)]

        f.add(desc, attrs, inputs, fn, ["input"])
    return f


def gen_pad(seed):
    f = OpFile("pad")
    rng = random.Random(seed)

    def case(shape, pad, mode, value=0, tag=None):
        H, W = shape[2], shape[3]
        l, r, t_, b = pad
        if mode == "reflect" and (max(l, r) >= W or max(t_, b) >= H):
            raise Invalid("reflect")
        if mode == "circular" and (max(l, r) > W or max(t_, b) > H):
            raise Invalid("circular")
        attrs = {"pad": list(pad), "mode": mode}
        if mode == "constant":
            attrs["value"] = value
        desc = "%s-%s-%s" % (mode, "p" + "_".join(str(x) for x in pad), shape_s(shape))
        if mode == "constant" and value != 0:
            desc += "-v%s" % ff(value)
        if tag:
            desc = tag + "-" + desc

        def fn(t):
            if mode == "constant":
                return [F.pad(t["input"], list(pad), mode="constant", value=float(value))]
            return [F.pad(t["input"], list(pad), mode=mode)]

        return f.add(desc, attrs, {"input": randn(*shape)}, fn, ["input"])

    def tcase(*a, **kw):
        state = torch.get_rng_state()
        try:
            return case(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False

    for mode in ("constant", "reflect", "replicate", "circular"):
        case((2, 2, 5, 6), (1, 2, 1, 2), mode)
        case((1, 3, 4, 4), (1, 1, 1, 1), mode)
        case((2, 1, 6, 5), (0, 0, 0, 0), mode, tag="zero")
        case((1, 2, 5, 7), (3, 0, 0, 2), mode, tag="asym")
        case((1, 2, 6, 4), (0, 3, 4, 0), mode, tag="asym")
        case((2, 2, 3, 3), (2, 2, 2, 2), mode, tag="max-reflect")
        case((1, 1, 4, 5), (0, 0, 3, 1), mode, tag="rows-only")
        case((1, 1, 4, 5), (2, 4, 0, 0), mode, tag="cols-only")
    case((2, 2, 4, 5), (1, 2, 1, 2), "constant", 1.5)
    case((1, 3, 3, 3), (2, 0, 1, 3), "constant", -0.25)
    case((1, 1, 2, 2), (3, 3, 3, 3), "constant", 2.0)
    case((1, 2, 3, 4), (4, 4, 3, 3), "circular", tag="full-wrap")
    case((1, 2, 3, 4), (5, 6, 7, 2), "replicate", tag="big")
    count = 0
    while count < 20:
        shape = (rng.randint(1, 2), rng.randint(1, 2), rng.randint(1, 8), rng.randint(1, 8))
        pad = tuple(rng.randint(0, 4) for _ in range(4))
        mode = rng.choice(["constant", "reflect", "replicate", "circular"])
        value = rng.choice([0, 0, 1.0, -2.5, 0.75]) if mode == "constant" else 0
        if tcase(shape, pad, mode, value):
            count += 1
    return f


# ---- extension ops ---------------------------------------------------------------------------


def gen_maxpool1d(seed):
    f = OpFile("maxPool1d")
    rng = random.Random(seed)

    def case(N, C, L, k, s, p=0, d=1, ceil=False, tag=None):
        if 2 * p > k:
            raise Invalid("pad")
        attrs = {"kernelSize": k, "stride": s, "padding": p, "dilation": d, "ceilMode": ceil}
        desc = "k%d-s%d-p%d-d%d%s" % (k, s, p, d, "-ceil" if ceil else "")
        desc = (tag + "-" + desc) if tag else ("%s-%s" % (shape_s((N, C, L)), desc))
        return f.add(desc, attrs, {"input": randn(N, C, L)},
                     lambda t: [F.max_pool1d(t["input"], k, s, p, d, ceil_mode=ceil)], ["input"])

    def tcase(*a, **kw):
        state = torch.get_rng_state()
        try:
            return case(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False

    case(2, 3, 10, 2, 2, tag="basic")
    case(2, 2, 13, 3, 2, 1, 2, True, tag="dil-ceil")
    case(1, 2, 12, 2, 3, tag="stride-gt-kernel")
    case(1, 2, 9, 3, 2, ceil=True, tag="ceil")
    case(1, 2, 5, 2, 2, 1, ceil=True, tag="ceil-drop")
    case(1, 1, 7, 7, 1, tag="global")
    count = 0
    while count < 24:
        k = rng.randint(1, 5)
        if tcase(rng.randint(1, 3), rng.randint(1, 4), rng.randint(2, 20), k, rng.randint(1, 4), rng.randint(0, k // 2),
                 rng.choice([1, 1, 2, 3]), rng.random() < 0.5):
            count += 1
    return f


def gen_avgpool1d(seed):
    f = OpFile("avgPool1d")
    rng = random.Random(seed)

    def case(N, C, L, k, s, p=0, ceil=False, cip=True, tag=None):
        if 2 * p > k:
            raise Invalid("pad")
        attrs = {"kernelSize": k, "stride": s, "padding": p, "ceilMode": ceil, "countIncludePad": cip}
        desc = "k%d-s%d-p%d%s%s" % (k, s, p, "-ceil" if ceil else "", "-cip" if cip else "-nocip")
        desc = (tag + "-" + desc) if tag else ("%s-%s" % (shape_s((N, C, L)), desc))
        return f.add(desc, attrs, {"input": randn(N, C, L)},
                     lambda t: [F.avg_pool1d(t["input"], k, s, p, ceil_mode=ceil, count_include_pad=cip)], ["input"])

    def tcase(*a, **kw):
        state = torch.get_rng_state()
        try:
            return case(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False

    for ceil in (False, True):
        for cip in (False, True):
            case(2, 3, 12, 3, 2, 1, ceil, cip, tag="combo")
            case(1, 2, 10, 4, 3, 2, ceil, cip, tag="combo")
            case(1, 2, 5, 2, 2, 1, ceil, cip, tag="combo-drop")
    case(1, 2, 12, 2, 3, tag="stride-gt-kernel")
    case(1, 1, 7, 7, 1, tag="global")
    count = 0
    while count < 20:
        k = rng.randint(1, 5)
        if tcase(rng.randint(1, 3), rng.randint(1, 4), rng.randint(2, 20), k, rng.randint(1, 4), rng.randint(0, k // 2),
                 rng.random() < 0.5, rng.random() < 0.5):
            count += 1
    return f


def gen_mseloss(seed):
    f = OpFile("mseLoss")
    for shape in [(4, 5), (1, 1), (2, 3, 4, 4), (7,), (3, 2, 6)]:
        for red in ("mean", "sum"):
            f.add("%s-%s" % (shape_s(shape), red), {"reduction": red}, {"input": randn(*shape), "target": randn(*shape)},
                  lambda t, red=red: [F.mse_loss(t["input"], t["target"], reduction=red)], ["input", "target"])
    return f


def gen_nllloss(seed):
    f = OpFile("nllLoss")
    for N, C in [(4, 11), (1, 3), (8, 2), (6, 7), (16, 10)]:
        for red in ("mean", "sum"):
            inputs = {"input": F.log_softmax(randn(N, C, scale=2.0).double(), dim=1).float(),
                      "target": torch.randint(0, C, (N,)).float()}
            f.add("n%d-c%d-%s" % (N, C, red), {"reduction": red}, inputs,
                  lambda t, red=red: [F.nll_loss(t["input"], t["target"].long(), reduction=red)], ["input"])
    return f


def gen_matmul(seed):
    f = OpFile("matmul")
    cfgs = [
        ((3, 4), (4, 5)), ((1, 6), (6, 1)), ((5, 1), (1, 4)), ((8, 7), (7, 9)), ((1, 1), (1, 1)), ((12, 16), (16, 3)),
        ((2, 3, 4), (2, 4, 5)), ((4, 2, 6), (4, 6, 3)), ((1, 3, 4), (5, 4, 2)), ((3, 5, 2), (1, 2, 4)),
        ((1, 1, 7), (6, 7, 1)), ((6, 4, 1), (1, 1, 5)), ((3, 8, 8), (3, 8, 8)),
    ]
    for sa, sb in cfgs:
        tag = "2d" if len(sa) == 2 else ("batched" if sa[0] == sb[0] else "bcast")
        f.add("%s-%s-%s" % (tag, shape_s(sa), shape_s(sb)), {}, {"a": randn(*sa), "b": randn(*sb)},
              lambda t: [torch.matmul(t["a"], t["b"])], ["a", "b"])
    return f


# --------------------------------------------------------------------------------------------

GENERATORS = [
    ("conv2d", gen_conv2d),
    ("conv1d", gen_conv1d),
    ("maxPool2d", gen_maxpool2d),
    ("avgPool2d", gen_avgpool2d),
    ("adaptiveAvgPool2d", lambda s: gen_adaptive("adaptiveAvgPool2d")),
    ("adaptiveMaxPool2d", lambda s: gen_adaptive("adaptiveMaxPool2d")),
    ("batchNorm2d", gen_batchnorm2d),
    ("linear", gen_linear),
    ("relu", lambda s: gen_activation("relu")),
    ("sigmoid", lambda s: gen_activation("sigmoid")),
    ("tanh", lambda s: gen_activation("tanh")),
    ("gelu", lambda s: gen_activation("gelu")),
    ("leakyRelu", gen_leakyrelu),
    ("elu", gen_elu),
    ("softmax", lambda s: gen_softmax("softmax")),
    ("logSoftmax", lambda s: gen_softmax("logSoftmax")),
    ("crossEntropy", gen_crossentropy),
    ("pad", gen_pad),
    # extension ops (not in the format's table)
    ("maxPool1d", gen_maxpool1d),
    ("avgPool1d", gen_avgpool1d),
    ("mseLoss", gen_mseloss),
    ("nllLoss", gen_nllloss),
    ("matmul", gen_matmul),
]


def self_check():
    """Assert our non-zeros padding-mode conv path agrees with torch.nn.Conv2d/Conv1d (incl. 'same')."""
    g = torch.Generator().manual_seed(0)
    for mode in ("zeros", "reflect", "replicate", "circular"):
        for padding, k, d in (("same", (4, 3), (1, 2)), ("same", (2, 5), (3, 1)), ((1, 2), (3, 3), (1, 1)), ("valid", (2, 2), (1, 1))):
            m = torch.nn.Conv2d(2, 3, k, padding=padding, dilation=d, padding_mode=mode).double()
            x = torch.randn(1, 2, 7, 8, generator=g, dtype=torch.float64)
            ref = m(x)
            ours = conv_nd(x, m.weight, m.bias, [1, 1], list(padding) if isinstance(padding, tuple) else padding,
                           list(d), 1, mode, 2)
            assert ref.shape == ours.shape and torch.allclose(ref, ours, atol=1e-12), (mode, padding, k, d)
            m1 = torch.nn.Conv1d(2, 3, k[0], padding=padding if isinstance(padding, str) else padding[0],
                                 dilation=d[0], padding_mode=mode).double()
            x1 = torch.randn(1, 2, 9, generator=g, dtype=torch.float64)
            ours1 = conv_nd(x1, m1.weight, m1.bias, 1, padding if isinstance(padding, str) else padding[0], d[0], 1, mode, 1)
            assert torch.allclose(m1(x1), ours1, atol=1e-12), (mode, padding, k, d)


def write_file(path, header, cases):
    parts = [json.dumps(c, allow_nan=False) for c in cases]
    with open(path, "w") as fh:
        fh.write('{"format": %s, "generator": %s, "cases": [\n' % (json.dumps(header["format"]), json.dumps(header["generator"])))
        fh.write(",\n".join(parts))
        fh.write("\n]}\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=7, help="base random seed (default: %(default)s)")
    ap.add_argument("--only", nargs="*", help="generate only these ops")
    args = ap.parse_args(argv)

    warnings.filterwarnings("ignore", message=".*padding='same' with even kernel.*")
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    self_check()
    os.makedirs(args.out, exist_ok=True)
    generator = "pytorch %s, seed %d" % (torch.__version__, args.seed)
    total = 0
    for op, gen in GENERATORS:
        if args.only and op not in args.only:
            continue
        # each op file has its own stream derived from the base seed, so that adding cases to one op
        # leaves every other file unchanged.
        op_seed = (args.seed * 1000003 + zlib.crc32(op.encode())) % (2 ** 31)
        torch.manual_seed(op_seed)
        f = gen(op_seed)
        path = os.path.join(args.out, op + ".json")
        write_file(path, {"format": FORMAT, "generator": generator}, f.cases)
        total += len(f.cases)
        print("%-18s %4d cases  %8.1f KiB  %s" % (op, len(f.cases), os.path.getsize(path) / 1024, os.path.relpath(path)))
    print("total %d cases" % total)
    if not args.only:  # the optimizer / scheduler oracle for packages/core/test (see optim.py)
        subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.py")], check=True)


if __name__ == "__main__":
    sys.exit(main())
