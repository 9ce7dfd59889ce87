"""conv2d and conv1d, with every padding mode through `F.pad` + an unpadded conv (as nn.Conv2d does it)."""

import random

import torch
import torch.nn.functional as F

from .common import MAX_ELEMS, Invalid, OpFile, fp, randn, tolerant


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

    tcase = tolerant(case)

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

    tcase = tolerant(case)

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
