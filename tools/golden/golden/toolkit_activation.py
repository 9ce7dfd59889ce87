"""The activations of issue 13: relu6, hardtanh, hardswish, hardsigmoid, silu, mish, softplus, prelu.

Inputs are scaled so every branch is taken (below -3, on [-3, 3], above 3 for the hard ops; past 0 and 6 for
relu6; past softplus's threshold); random inputs never sit exactly on a kink, where PyTorch's vectorised and scalar
kernels disagree (the special-values fixture pins those)."""

import torch
import torch.nn.functional as F

from .common import OpFile, ff, randn, shape_s


SHAPES = [((4, 3, 4, 5), 4.0), ((6, 7), 1.0), ((2, 3, 9), 2.0), ((1, 2, 5, 5), 8.0), ((3, 10), 0.5)]

FNS = {
    "relu6": F.relu6,
    "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid,
    "silu": F.silu,
    "mish": F.mish,
}


def gen_plain(op):
    """An activation without attributes, over SHAPES, plus a saturating case."""
    f = OpFile(op)
    fun = FNS[op]
    for shape, scale in SHAPES:
        f.add("%s-scale%s" % (shape_s(shape), ff(scale)), {}, {"input": randn(*shape, scale=scale)},
              lambda t: [fun(t["input"])], ["input"])
    f.add("saturate-3x8-scale12", {}, {"input": randn(3, 8, scale=12.0)}, lambda t: [fun(t["input"])], ["input"])
    return f


def gen_hardtanh(seed):
    f = OpFile("hardtanh")
    for i, (lo, hi) in enumerate([(-1.0, 1.0), (0.0, 6.0), (-2.0, 0.5), (-0.25, 0.25), (1.0, 3.0), (-3.0, -1.0)]):
        shape, _ = SHAPES[i % len(SHAPES)]
        f.add("min%s-max%s-%s" % (ff(lo), ff(hi), shape_s(shape)), {"minVal": lo, "maxVal": hi},
              {"input": randn(*shape, scale=2.5)},
              lambda t, lo=lo, hi=hi: [F.hardtanh(t["input"], lo, hi)], ["input"])
    return f


def gen_softplus(seed):
    f = OpFile("softplus")
    # (beta, threshold, input scale): the default, other betas (negative too), thresholds that inputs cross.
    cfgs = [(1.0, 20.0, 2.0), (1.0, 20.0, 15.0), (2.0, 20.0, 3.0), (0.5, 10.0, 8.0), (1.0, 1.0, 2.0), (3.0, 2.0, 1.0),
            (1.5, 0.0, 1.0), (-1.0, 20.0, 2.0), (0.25, 5.0, 30.0)]
    for i, (beta, threshold, scale) in enumerate(cfgs):
        shape, _ = SHAPES[i % len(SHAPES)]
        f.add("beta%s-threshold%s-%s-scale%s" % (ff(beta), ff(threshold), shape_s(shape), ff(scale)),
              {"beta": beta, "threshold": threshold}, {"input": randn(*shape, scale=scale)},
              lambda t, beta=beta, threshold=threshold: [F.softplus(t["input"], beta, threshold)], ["input"])
    return f


def gen_prelu(seed):
    f = OpFile("prelu")
    # (input shape, weights): one shared weight or one per channel (dim 1); inputs of rank < 2 have one channel.
    cfgs = [((4, 3, 4, 5), 3), ((4, 3, 4, 5), 1), ((6, 7), 7), ((6, 7), 1), ((2, 5, 9), 5), ((2, 1, 3, 3), 1),
            ((11,), 1), ((2, 4, 3, 2, 2), 4)]
    for shape, n in cfgs:
        w = randn(n, scale=0.5)
        f.add("%s-w%d" % (shape_s(shape), n), {}, {"input": randn(*shape, scale=2.0), "weight": w},
              lambda t: [F.prelu(t["input"], t["weight"])], ["input", "weight"])
    return f
