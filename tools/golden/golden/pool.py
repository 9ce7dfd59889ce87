"""Pooling: maxPool2d, avgPool2d, the adaptive pools, maxPool1d, avgPool1d."""

import random

import torch.nn.functional as F

from .common import MAX_ELEMS, Invalid, OpFile, fp, randn, shape_s, tolerant


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

    tcase = tolerant(case)

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

    tcase = tolerant(case)

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

    tcase = tolerant(case)

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

    tcase = tolerant(case)

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
