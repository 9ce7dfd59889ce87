"""Decoder ops: convTranspose2d, convTranspose1d (F.conv_transpose2d / 1d, PyTorch's weight layout) and interpolate
(F.interpolate, nearest and bilinear, with `size` or `scale_factor`, recompute_scale_factor unset)."""

import random

import torch.nn.functional as F

from .common import MAX_ELEMS, Invalid, OpFile, ff, fp, randn, shape_s, tolerant


def _pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


def gen_conv_transpose2d(seed):
    f = OpFile("convTranspose2d")
    rng = random.Random(seed)

    def case(N, C, H, W, O, k, s=1, p=0, op=0, d=1, g=1, bias=True, tag=None):
        k, s, p, op, d = _pair(k), _pair(s), _pair(p), _pair(op), _pair(d)
        if C % g or O % g:
            raise Invalid("groups")
        if any(o >= st and o >= dl for o, st, dl in zip(op, s, d)):
            raise Invalid("output padding")
        if N * C * H * W > MAX_ELEMS:
            raise Invalid("too big")
        inputs = {"input": randn(N, C, H, W), "weight": randn(C, O // g, k[0], k[1])}
        if bias:
            inputs["bias"] = randn(O)
        attrs = {"stride": s, "padding": p, "outputPadding": op, "dilation": d, "groups": g}
        desc = "k%s-s%s-p%s-op%s-d%s-g%d" % (fp(k), fp(s), fp(p), fp(op), fp(d), g)
        if not bias:
            desc += "-nobias"
        desc = (tag + "-" + desc) if tag else ("n%d-c%d-o%d-%s" % (N, C, O, desc))

        def fn(t):
            return [F.conv_transpose2d(t["input"], t["weight"], t.get("bias"), s, p, op, g, d)]

        return f.add(desc, attrs, inputs, fn, list(inputs.keys()))

    tcase = tolerant(case)

    # decoder classics
    case(2, 4, 5, 5, 3, 2, s=2, tag="decoder-k2s2")
    case(1, 6, 4, 3, 4, 2, s=2, bias=False, tag="decoder-k2s2")
    case(2, 4, 5, 4, 3, 4, s=2, p=1, tag="decoder-k4s2p1")
    case(1, 3, 3, 6, 5, 4, s=2, p=1, bias=False, tag="decoder-k4s2p1")
    case(2, 4, 4, 5, 2, 3, s=2, p=1, op=1, tag="decoder-k3s2p1op1")
    case(1, 3, 6, 6, 3, 3, s=1, p=1, tag="same-size")
    case(2, 2, 3, 3, 2, 3, s=2, tag="overlap")
    # stride larger than the kernel: outputs no window reaches are the bias alone
    case(1, 2, 3, 4, 3, 1, s=3, tag="stride-gt-kernel")
    case(2, 2, 3, 3, 2, 2, s=(3, 4), op=(2, 3), tag="stride-gt-kernel")
    case(1, 1, 4, 4, 1, 1, s=2, op=1, tag="k1-op")
    # output padding: < stride, or ≥ stride but < dilation
    case(2, 3, 4, 4, 2, 3, s=3, p=1, op=2, tag="op2")
    case(1, 2, 5, 4, 3, 2, s=1, d=2, op=1, tag="op-lt-dilation")
    case(1, 2, 4, 5, 2, 3, s=(1, 2), d=(3, 1), op=(2, 1), p=(1, 0), tag="op-lt-dilation")
    # dilation, padding
    case(2, 2, 4, 4, 3, 3, s=2, p=2, d=2, tag="dilated")
    case(1, 3, 5, 4, 2, (2, 3), s=(2, 1), p=(0, 2), d=(1, 3), tag="dilated-asym")
    case(1, 2, 6, 6, 2, 5, s=1, p=3, tag="big-pad")
    # groups and depthwise
    case(2, 4, 4, 4, 6, 3, s=2, p=1, g=2, tag="groups")
    case(1, 6, 3, 5, 3, 2, s=2, g=3, bias=False, tag="groups")
    case(2, 4, 5, 5, 4, 3, s=1, p=1, g=4, tag="depthwise")
    case(1, 3, 4, 4, 6, 4, s=2, p=1, g=3, tag="depthwise-mult2")
    # small and odd shapes
    case(1, 1, 1, 1, 1, 3, tag="1x1-input")
    case(3, 1, 2, 7, 2, (1, 4), s=(2, 3), p=(0, 1), tag="asym")
    case(1, 2, 7, 2, 1, (3, 2), s=(1, 2), p=(1, 0), op=(0, 1), tag="asym")

    count = 0
    while count < 50:
        g = rng.choice([1, 1, 1, 2, 3])
        cpg, opg = rng.randint(1, 3), rng.randint(1, 3)
        if rng.random() < 0.15:
            g, cpg = rng.randint(2, 4), 1
        C, O = g * cpg, g * opg
        N = rng.randint(1, 2)
        k = (rng.randint(1, 5), rng.randint(1, 5))
        s = (rng.randint(1, 3), rng.randint(1, 3))
        d = (rng.choice([1, 1, 2, 3]), rng.choice([1, 1, 2, 3]))
        p = (rng.randint(0, 2), rng.randint(0, 2))
        op = tuple(rng.randint(0, max(si, di) - 1) for si, di in zip(s, d))
        H, W = rng.randint(1, 7), rng.randint(1, 7)
        if tcase(N, C, H, W, O, k, s=s, p=p, op=op, d=d, g=g, bias=rng.random() < 0.75):
            count += 1
    return f


def gen_conv_transpose1d(seed):
    f = OpFile("convTranspose1d")
    rng = random.Random(seed)

    def case(N, C, L, O, k, s=1, p=0, op=0, d=1, g=1, bias=True, tag=None):
        if C % g or O % g:
            raise Invalid("groups")
        if op >= s and op >= d:
            raise Invalid("output padding")
        if N * C * L > MAX_ELEMS:
            raise Invalid("big")
        inputs = {"input": randn(N, C, L), "weight": randn(C, O // g, k)}
        if bias:
            inputs["bias"] = randn(O)
        attrs = {"stride": s, "padding": p, "outputPadding": op, "dilation": d, "groups": g}
        desc = "k%d-s%d-p%d-op%d-d%d-g%d" % (k, s, p, op, d, g)
        if not bias:
            desc += "-nobias"
        desc = (tag + "-" + desc) if tag else ("n%d-c%d-l%d-%s" % (N, C, L, desc))

        def fn(t):
            return [F.conv_transpose1d(t["input"], t["weight"], t.get("bias"), s, p, op, g, d)]

        return f.add(desc, attrs, inputs, fn, list(inputs.keys()))

    tcase = tolerant(case)

    case(2, 3, 8, 2, 2, s=2, tag="decoder-k2s2")
    case(2, 3, 7, 4, 4, s=2, p=1, tag="decoder-k4s2p1")
    case(1, 2, 6, 3, 3, s=2, p=1, op=1, bias=False, tag="decoder-k3s2p1op1")
    case(2, 2, 5, 2, 1, s=3, op=2, tag="stride-gt-kernel")
    case(1, 2, 6, 3, 3, s=1, d=3, op=2, p=2, tag="op-lt-dilation")
    case(2, 4, 6, 6, 3, s=2, p=1, g=2, tag="groups")
    case(1, 4, 5, 4, 3, s=1, p=1, g=4, tag="depthwise")
    case(1, 1, 1, 1, 4, tag="l1")

    count = 0
    while count < 30:
        g = rng.choice([1, 1, 1, 2, 3])
        cpg, opg = rng.randint(1, 3), rng.randint(1, 3)
        C, O = g * cpg, g * opg
        N = rng.randint(1, 3)
        k = rng.randint(1, 6)
        s = rng.randint(1, 4)
        d = rng.choice([1, 1, 2, 3])
        p = rng.randint(0, 3)
        op = rng.randint(0, max(s, d) - 1)
        L = rng.randint(1, 12)
        if tcase(N, C, L, O, k, s=s, p=p, op=op, d=d, g=g, bias=rng.random() < 0.75):
            count += 1
    return f


def gen_interpolate(seed):
    f = OpFile("interpolate")
    rng = random.Random(seed)

    def case(N, C, H, W, mode, size=None, scale=None, align=None, tag=None):
        if N * C * H * W > MAX_ELEMS:
            raise Invalid("big")
        attrs = {"mode": mode}
        if size is not None:
            size = _pair(size)
            attrs["size"] = size
            what = "size%s" % shape_s(size)
        else:
            scale = [float(x) for x in _pair(scale)]
            attrs["scaleFactor"] = scale
            what = "scale%s" % "x".join(ff(x) for x in scale)
        if align is not None:
            attrs["alignCorners"] = align
        desc = "%s-%s%s" % (mode, what, "" if align is None else ("-align" if align else "-noalign"))
        desc = (tag + "-" + desc) if tag else ("%s-%s" % (shape_s((N, C, H, W)), desc))

        def fn(t):
            return [F.interpolate(t["input"], size=size, scale_factor=scale, mode=mode, align_corners=align)]

        return f.add(desc, attrs, {"input": randn(N, C, H, W)}, fn, ["input"])

    tcase = tolerant(case)

    # decoder classics
    case(2, 3, 4, 5, "nearest", scale=2, tag="x2")
    case(1, 2, 3, 4, "bilinear", scale=2, align=False, tag="x2")
    case(1, 2, 3, 4, "bilinear", scale=2, align=True, tag="x2")
    case(1, 2, 4, 4, "bilinear", size=8, tag="x2-default-align")
    case(1, 2, 3, 3, "nearest", size=(7, 9), tag="size-up")
    case(1, 2, 9, 8, "nearest", size=(4, 3), tag="size-down")
    case(1, 2, 5, 7, "nearest", size=(5, 7), tag="size-same")
    # scale factors whose 1/s is not exact, and where the output size equals in·2 or in by rounding down
    for s in (1.5, 2.5, 3.0, 0.5, 0.7, 1.0 / 3.0, 2.01, 1.3, 0.9, 1.7):
        case(1, 2, 7, 6, "nearest", scale=s, tag="scale")
        case(1, 1, 7, 6, "bilinear", scale=s, align=False, tag="scale")
        case(1, 1, 5, 6, "bilinear", scale=s, align=True, tag="scale")
    # one channel: PyTorch's channels-last kernel (float32 scale, out = 2·in short-cut) — 2.01 differs from C > 1
    for s in (2.01, 1.0 / 3.0, 1.7, 0.7):
        case(2, 1, 7, 6, "nearest", scale=s, tag="scale-c1")
    case(1, 1, 12, 10, "nearest", scale=(1.1, 0.35), tag="scale-asym")
    case(2, 1, 9, 11, "bilinear", scale=(0.45, 1.6), align=False, tag="scale-asym")
    # sizes, including 1 (align_corners maps everything to the first pixel) and inputs of size 1
    for align in (False, True):
        case(1, 2, 6, 5, "bilinear", size=(9, 4), align=align, tag="size")
        case(1, 2, 6, 5, "bilinear", size=(1, 1), align=align, tag="size-1")
        case(1, 2, 1, 1, "bilinear", size=(3, 4), align=align, tag="input-1")
        case(1, 1, 8, 3, "bilinear", size=(3, 7), align=align, tag="size-mixed")
    case(1, 2, 1, 1, "nearest", size=(3, 2), tag="input-1")
    case(1, 1, 5, 5, "nearest", size=(1, 1), tag="size-1")

    count = 0
    while count < 40:
        N, C = rng.randint(1, 2), rng.randint(1, 3)
        H, W = rng.randint(1, 9), rng.randint(1, 9)
        mode = rng.choice(["nearest", "bilinear"])
        align = rng.choice([False, True]) if mode == "bilinear" else None
        if rng.random() < 0.5:
            size, scale = (rng.randint(1, 14), rng.randint(1, 14)), None
        else:
            size = None
            scale = (rng.choice([0.5, 0.75, 1.25, 1.5, 2.0, 2.5, 3.0, 1.0 / 3.0, round(rng.uniform(0.3, 3.5), 3)]),
                     rng.choice([0.5, 0.75, 1.25, 1.5, 2.0, 2.5, 3.0, 1.0 / 3.0, round(rng.uniform(0.3, 3.5), 3)]))
        if tcase(N, C, H, W, mode, size=size, scale=scale, align=align):
            count += 1
    return f
