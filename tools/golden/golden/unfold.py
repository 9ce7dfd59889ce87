"""unfold (im2col) and fold (col2im), every option: kernelSize, dilation, padding, stride (ints and pairs,
asymmetric), plus fold's outputSize, batched and unbatched inputs."""

import torch
import torch.nn.functional as F

from .common import OpFile, fp, randn, shape_s

# (input shape [N,] C, H, W; kernelSize, dilation, padding, stride): defaults, each option alone, pairs,
# all together, a kernel as large as the padded input, blocks that overlap, do not touch, or skip cells.
CFGS = [
    ((2, 3, 5, 6), 2, 1, 0, 1),
    ((2, 3, 5, 6), 3, 1, 0, 1),
    ((1, 2, 7, 7), 3, 2, 0, 1),
    ((1, 2, 6, 5), 3, 1, 1, 1),
    ((2, 2, 7, 8), 2, 1, 0, 2),
    ((1, 3, 8, 7), (2, 3), 1, 0, 1),
    ((1, 2, 9, 8), (3, 2), (2, 1), (1, 0), (2, 3)),
    ((2, 2, 6, 7), 3, 1, 1, 2),
    ((1, 1, 10, 9), 2, 3, 2, 3),
    ((1, 2, 5, 5), 1, 1, 0, 1),
    ((1, 2, 5, 5), 1, 1, 2, 2),
    ((1, 1, 4, 4), 4, 1, 0, 1),
    ((1, 2, 3, 4), (5, 6), 1, (1, 1), 1),
    ((1, 2, 6, 6), 2, 1, 0, 3),
    ((2, 1, 7, 5), (1, 3), (1, 2), (0, 2), (1, 1)),
    ((3, 5, 5), 2, 1, 1, 2),
    ((2, 9, 9), 3, (2, 1), (2, 0), (3, 2)),
]


def _attrs(k, d, p, s):
    def v(x):
        return list(x) if isinstance(x, tuple) else x
    return {"kernelSize": v(k), "dilation": v(d), "padding": v(p), "stride": v(s)}


def _desc(shape, k, d, p, s):
    return "%s-k%s-d%s-p%s-s%s" % (shape_s(shape), fp(k), fp(d), fp(p), fp(s))


def gen_unfold(seed):
    f = OpFile("unfold")
    for shape, k, d, p, s in CFGS:
        f.add(_desc(shape, k, d, p, s), _attrs(k, d, p, s), {"input": randn(*shape)},
              lambda t, k=k, d=d, p=p, s=s: [F.unfold(t["input"], k, d, p, s)], ["input"])
    # the attributes' defaults: only kernelSize given
    f.add("2x3x6x5-k3-defaults", {"kernelSize": 3}, {"input": randn(2, 3, 6, 5)},
          lambda t: [F.unfold(t["input"], 3)], ["input"])
    return f


def gen_fold(seed):
    f = OpFile("fold")
    for shape, k, d, p, s in CFGS:
        # fold's input is what unfold of an image of `shape` gives: [N, C·kH·kW, L]; outputSize is that image's size.
        probe = F.unfold(torch.zeros(*shape), k, d, p, s)
        out_size = list(shape[-2:])
        attrs = dict(_attrs(k, d, p, s), outputSize=out_size if out_size[0] != out_size[1] else out_size[0])
        f.add(_desc(shape, k, d, p, s), attrs, {"input": randn(*probe.shape)},
              lambda t, k=k, d=d, p=p, s=s, o=tuple(out_size): [F.fold(t["input"], o, k, d, p, s)], ["input"])
    f.add("2x27x12-o6x5-k3-defaults", {"outputSize": [6, 5], "kernelSize": 3}, {"input": randn(2, 27, 12)},
          lambda t: [F.fold(t["input"], (6, 5), 3)], ["input"])
    return f
