"""Issue 13's normalisation and rearrangement ops: groupNorm, layerNorm, instanceNorm (F.group_norm, F.layer_norm,
F.instance_norm) and pixelShuffle, pixelUnshuffle, channelShuffle. Dropout2d is random: it has property tests in
core instead of fixtures."""

import torch
import torch.nn.functional as F

from .common import OpFile, ff, randn, shape_s


def _input(shape, offset, scale):
    """randn(shape)·scale + offset: a mean far from 0 checks the two-pass variance (E[x²] − E[x]² would cancel)."""
    x = randn(*shape)
    if scale != 1.0 or offset != 0.0:
        x = (x * scale + offset).float()
    return x


def gen_groupnorm(seed):
    f = OpFile("groupNorm")

    def case(shape, groups, affine=True, weight_only=False, eps=1e-5, offset=0.0, scale=1.0, tag=""):
        C = shape[1]
        inputs = {"input": _input(shape, offset, scale)}
        if affine or weight_only:
            inputs["weight"] = randn(C)
        if affine:
            inputs["bias"] = randn(C)
        attrs = {"numGroups": groups, "eps": eps}
        desc = "%s-g%d-%s-eps%s" % (shape_s(shape), groups, "affine" if affine else ("weight" if weight_only else "plain"), ff(eps))
        if tag:
            desc += "-" + tag

        def fn(t):
            return [F.group_norm(t["input"], groups, t.get("weight"), t.get("bias"), eps)]

        f.add(desc, attrs, inputs, fn, list(inputs.keys()))

    # groups 1 (whole sample), C (each channel) and between
    case((2, 4, 3, 3), 2)
    case((2, 4, 3, 3), 1)
    case((2, 4, 3, 3), 4, affine=False)
    case((3, 6, 4, 5), 3)
    case((3, 6, 4, 5), 2, affine=False)
    case((3, 6, 4, 5), 6, eps=1e-3)
    case((2, 6, 4, 5), 1, weight_only=True, affine=False)
    case((1, 8, 5, 5), 4, eps=0.1)
    case((1, 8, 5, 5), 8)
    case((4, 3, 2, 2), 3, affine=False, tag="small-groups")
    case((2, 12, 3, 3), 4, offset=5.0, scale=0.5, tag="offset")
    case((2, 4, 6, 6), 2, offset=-3.0, scale=2.0, tag="offset")
    # rank 2, 3, 5
    case((5, 6), 3, tag="rank2")
    case((5, 6), 1, affine=False, tag="rank2")
    case((3, 6, 7), 2, tag="rank3")
    case((2, 4, 9), 4, eps=1e-4, tag="rank3")
    case((2, 4, 2, 3, 3), 2, tag="rank5")
    # one value per group: y = 0, gradient 0 (through the statistics)
    case((2, 3, 1, 1), 3, tag="single-value")
    case((1, 2, 1, 1), 1, tag="n1-hw1")
    return f


def gen_layernorm(seed):
    f = OpFile("layerNorm")

    def case(shape, k, affine=True, weight_only=False, eps=1e-5, offset=0.0, scale=1.0, int_shape=False, tag=""):
        ns = list(shape[len(shape) - k:])
        inputs = {"input": _input(shape, offset, scale)}
        if affine or weight_only:
            inputs["weight"] = randn(*ns)
        if affine:
            inputs["bias"] = randn(*ns)
        attrs = {"normalizedShape": ns[0] if int_shape else ns, "eps": eps}
        desc = "%s-over%d-%s-eps%s" % (shape_s(shape), k, "affine" if affine else ("weight" if weight_only else "plain"), ff(eps))
        if tag:
            desc += "-" + tag

        def fn(t):
            return [F.layer_norm(t["input"], ns, t.get("weight"), t.get("bias"), eps)]

        f.add(desc, attrs, inputs, fn, list(inputs.keys()))

    # over 1, 2 and 3 trailing dims, with and without the elementwise affine
    case((3, 5), 1)
    case((2, 3, 6), 1, affine=False)
    case((2, 3, 4, 5), 1)
    case((4, 7), 1, int_shape=True, tag="int")
    case((2, 3, 4), 2)
    case((2, 3, 4), 2, affine=False)
    case((2, 3, 4, 5), 2, eps=1e-3)
    case((3, 2, 5), 2, weight_only=True, affine=False)
    case((2, 3, 4, 4), 3)
    case((2, 3, 4, 4), 3, affine=False, eps=0.1)
    case((1, 4, 3, 3), 3, tag="n1")
    case((2, 2, 3, 2, 3), 3, tag="rank5")
    # the whole tensor, single rows, offsets
    case((3, 4, 5), 3, tag="whole")
    case((6,), 1, tag="rank1")
    case((4, 16), 1, offset=8.0, scale=0.25, tag="offset")
    case((2, 8, 3, 3), 3, offset=-4.0, scale=3.0, tag="offset")
    case((5, 1), 1, tag="single-value")
    return f


def gen_instancenorm(seed):
    f = OpFile("instanceNorm")

    def case(shape, use_input_stats, running, affine=True, momentum=0.1, eps=1e-5, offset=0.0, scale=1.0, tag=""):
        C = shape[1]
        inputs = {"input": _input(shape, offset, scale)}
        if affine:
            inputs["weight"] = randn(C)
            inputs["bias"] = randn(C)
        if running:
            inputs["runningMean"] = randn(C)
            inputs["runningVar"] = (torch.rand(C) + 0.5).float()
        attrs = {"useInputStats": use_input_stats, "eps": eps}
        if use_input_stats and running:
            attrs["momentum"] = momentum
        mode = "train" if use_input_stats and running else ("input-stats" if use_input_stats else "eval")
        desc = "%s-%s-%s-eps%s" % (mode, shape_s(shape), "affine" if affine else "plain", ff(eps))
        if use_input_stats and running:
            desc += "-mom%s" % ff(momentum)
        if tag:
            desc += "-" + tag

        def fn(t):
            rm = t["runningMean"].detach().clone() if running else None
            rv = t["runningVar"].detach().clone() if running else None
            y = F.instance_norm(t["input"], rm, rv, t.get("weight"), t.get("bias"), use_input_stats, momentum, eps)
            # In training the running statistics are updated in place: outputs 1 and 2, as batchNorm2d.
            return [y, rm, rv] if use_input_stats and running else [y]

        f.add(desc, attrs, inputs, fn, [k for k in inputs if k in ("input", "weight", "bias")])

    # train with tracked statistics (updated with the unbiased variance): [y, runningMean, runningVar]
    case((2, 3, 4, 4), True, True)
    case((2, 3, 4, 4), True, True, affine=False)
    case((3, 2, 3, 5), True, True, momentum=0.3, eps=1e-3)
    case((1, 4, 2, 2), True, True, momentum=1.0, tag="n1")
    case((4, 2, 5, 1), True, True, momentum=0.01, tag="w1")
    case((2, 5, 3, 3), True, True, momentum=0.5, eps=0.1, offset=3.0, scale=0.5, tag="offset")
    # instance statistics, no running ones (training, or eval without tracked statistics): [y]
    case((2, 3, 4, 4), True, False)
    case((2, 3, 4, 4), True, False, affine=False)
    case((1, 2, 6, 6), True, False, eps=1e-3, tag="n1")
    case((3, 4, 2, 3), True, False, offset=-5.0, scale=2.0, tag="offset")
    # eval with tracked statistics: the running ones normalise
    case((2, 3, 4, 4), False, True)
    case((2, 3, 4, 4), False, True, affine=False)
    case((1, 4, 3, 2), False, True, eps=1e-3, tag="n1")
    case((2, 2, 1, 1), False, True, tag="hw1")
    # [N, C, L] (F.instance_norm takes any number of spatial dims)
    case((2, 3, 7), True, True, tag="rank3")
    case((2, 3, 7), True, False, affine=False, tag="rank3")
    case((2, 3, 7), False, True, tag="rank3")
    return f


def gen_pixelshuffle(seed):
    f = OpFile("pixelShuffle")

    def case(shape, r, tag=""):
        inputs = {"input": randn(*shape)}
        desc = "%s-r%d" % (shape_s(shape), r) + ("-" + tag if tag else "")
        f.add(desc, {"upscaleFactor": r}, inputs, lambda t: [F.pixel_shuffle(t["input"], r)], ["input"])

    case((2, 4, 3, 3), 2)
    case((1, 8, 2, 3), 2)
    case((2, 9, 2, 2), 3)
    case((1, 18, 3, 2), 3)
    case((2, 3, 4, 5), 1, tag="r1")
    case((1, 16, 2, 2), 4)
    case((4, 3, 3), 2, tag="rank3")
    case((2, 2, 8, 2, 3), 2, tag="rank5")
    case((1, 4, 1, 1), 2, tag="hw1")
    return f


def gen_pixelunshuffle(seed):
    f = OpFile("pixelUnshuffle")

    def case(shape, r, tag=""):
        inputs = {"input": randn(*shape)}
        desc = "%s-r%d" % (shape_s(shape), r) + ("-" + tag if tag else "")
        f.add(desc, {"downscaleFactor": r}, inputs, lambda t: [F.pixel_unshuffle(t["input"], r)], ["input"])

    case((2, 1, 4, 6), 2)
    case((1, 3, 6, 4), 2)
    case((2, 2, 6, 3), 3)
    case((1, 1, 9, 9), 3)
    case((2, 3, 4, 5), 1, tag="r1")
    case((1, 2, 8, 4), 4)
    case((2, 4, 6), 2, tag="rank3")
    case((2, 2, 1, 4, 6), 2, tag="rank5")
    case((1, 3, 2, 2), 2, tag="to-hw1")
    return f


def gen_channelshuffle(seed):
    f = OpFile("channelShuffle")

    def case(shape, groups, tag=""):
        inputs = {"input": randn(*shape)}
        desc = "%s-g%d" % (shape_s(shape), groups) + ("-" + tag if tag else "")

        def fn(t):
            # torch 1.13 has no derivative for channel_shuffle: the same permutation as a view/transpose (checked
            # against torch.channel_shuffle's forward) gives the gradient.
            x = t["input"]
            n, c = x.shape[0], x.shape[1]
            y = x.reshape(n, groups, c // groups, -1).transpose(1, 2).reshape(x.shape)
            assert torch.equal(y.detach(), torch.channel_shuffle(x.detach(), groups)), desc
            return [y]

        f.add(desc, {"groups": groups}, inputs, fn, ["input"])

    case((2, 6, 3, 3), 2)
    case((2, 6, 3, 3), 3)
    case((1, 6, 2, 2), 6, tag="groups-c")
    case((2, 4, 3, 2), 1, tag="g1")
    case((3, 12, 2, 3), 4)
    case((2, 8, 5), 2, tag="rank3")
    case((2, 6, 2, 2, 2), 3, tag="rank5")
    case((1, 10, 1, 1), 5, tag="hw1")
    return f
