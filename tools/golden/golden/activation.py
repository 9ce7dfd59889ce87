"""Elementwise activations, softmax and logSoftmax."""

import torch
import torch.nn.functional as F

from .common import OpFile, ff, randn, shape_s


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


def gen_erf(seed):
    """torch.erf, over the whole range: random inputs, a dense grid, and tails where erf saturates to ±1 in float32
    and its derivative 2/√π·exp(−x²) underflows."""
    f = OpFile("erf")

    def case(desc, x):
        f.add(desc, {}, {"input": x}, lambda t: [torch.erf(t["input"])], ["input"])

    for shape, scale in ((4, 3, 5), 1.0), ((6, 7), 2.0), ((2, 3, 9), 4.0), ((40,), 0.3):
        case("%s-scale%s" % (shape_s(shape), ff(scale)), randn(*shape, scale=scale))
    case("grid-m6_6", torch.linspace(-6, 6, 97, dtype=torch.float32))
    case("tails", torch.tensor([-10.0, -8.0, -6.0, -5.0, -4.5, -4.0, -3.5, -3.0, -2.5, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0,
                                6.0, 8.0, 10.0, 26.0, -26.0]))
    case("near-zero", torch.tensor([0.0, -0.0, 1e-3, -1e-3, 1e-6, -1e-6, 1e-20, -1e-20, 0.01, -0.01, 0.1, -0.1]))
    return f
