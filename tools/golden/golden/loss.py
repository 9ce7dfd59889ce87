"""Losses: crossEntropy, mseLoss, nllLoss."""

import torch
import torch.nn.functional as F

from .common import OpFile, ff, randn, shape_s


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
