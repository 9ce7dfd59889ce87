#!/usr/bin/python3
"""Write PyTorch's answers on special values (NaN, +-inf, +-0, ties, empty tensors) as a fixture.

Output: packages/conformance/fixtures-special/special-values.json (format `cnn-special-values/1`, read by
packages/conformance/src/special-values.ts). Every case is one claim of the "Special values" section of
packages/core/src/backend/contract.ts, checked through the public ops (F.relu, F.max, F.maxPool2d, ...).

Unlike generate.py, ops run in float32, as PyTorch runs them: these cases are about what float32 arithmetic does at
its edges (exp(89) overflows, softmax of +-1e4 does not). Tensor values are JSON numbers, or the strings "nan",
"inf", "-inf" (JSON has no such numbers); -0.0 is written as -0.0. `signedZeros: true` on a case means the sign of
every zero in its outputs is part of the claim. A case with `error` expects the op to throw (torch's message is kept
for reference; ours must name the op).

Run with Debian's interpreter (python3-torch 1.13): /usr/bin/python3 tools/golden/special_values.py
"""

import argparse
import json
import math
import os
import sys
import warnings

import torch
import torch.nn.functional as F

FORMAT = "cnn-special-values/1"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "packages", "conformance", "fixtures-special", "special-values.json")

nan = float("nan")
inf = float("inf")


def t(values, shape=None, dtype=torch.float32):
    x = torch.tensor(values, dtype=dtype)
    return x.reshape(shape) if shape is not None else x


def encode_number(v, integral):
    if integral:
        return int(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def t_json(x):
    x = x.detach()
    integral = not x.is_floating_point()
    if x.is_floating_point():
        x = x.float()  # every value below is float32; repr of the float64 copy round-trips it
    out = {"shape": [int(s) for s in x.shape], "data": [encode_number(v, integral) for v in x.reshape(-1).tolist()]}
    if integral:
        out["dtype"] = "int32"
    return out


# How each op of the fixture is called in torch, mirroring the ops table of special-values-ops.ts.
# F.max / F.min are torch.amax / torch.amin (the gradient of a tie is split, as core's max/min document).
def op_fn(op, a):
    dim = a.get("dim")
    keep = a.get("keepDim", False)
    reduce_dims = dim if dim is not None else tuple()
    return {
        "relu": lambda i: F.relu(i["input"]),
        "leakyRelu": lambda i: F.leaky_relu(i["input"], a["negativeSlope"]),
        "elu": lambda i: F.elu(i["input"], a["alpha"]),
        "gelu": lambda i: F.gelu(i["input"]),
        "sigmoid": lambda i: torch.sigmoid(i["input"]),
        "tanh": lambda i: torch.tanh(i["input"]),
        "exp": lambda i: torch.exp(i["input"]),
        "log": lambda i: torch.log(i["input"]),
        "sqrt": lambda i: torch.sqrt(i["input"]),
        "rsqrt": lambda i: torch.rsqrt(i["input"]),
        "abs": lambda i: torch.abs(i["input"]),
        "neg": lambda i: torch.neg(i["input"]),
        "reciprocal": lambda i: torch.reciprocal(i["input"]),
        "square": lambda i: torch.square(i["input"]),
        "erf": lambda i: torch.erf(i["input"]),
        "pow": lambda i: torch.pow(i["input"], a["exponent"]),
        "clamp": lambda i: torch.clamp(i["input"], a.get("min"), a.get("max")),
        "powTensor": lambda i: torch.pow(i["a"], i["b"]),
        "add": lambda i: i["a"] + i["b"],
        "div": lambda i: i["a"] / i["b"],
        "maximum": lambda i: torch.maximum(i["a"], i["b"]),
        "minimum": lambda i: torch.minimum(i["a"], i["b"]),
        "eq": lambda i: torch.eq(i["a"], i["b"]).float(),
        "ge": lambda i: torch.ge(i["a"], i["b"]).float(),
        "lt": lambda i: torch.lt(i["a"], i["b"]).float(),
        "sum": lambda i: torch.sum(i["input"], reduce_dims, keepdim=keep) if dim is not None else torch.sum(i["input"]),
        "mean": lambda i: torch.mean(i["input"], reduce_dims, keepdim=keep) if dim is not None else torch.mean(i["input"]),
        "variance": lambda i: torch.var(i["input"], dim, unbiased=a.get("unbiased", True), keepdim=keep),
        "max": lambda i: torch.amax(i["input"], reduce_dims, keepdim=keep),
        "min": lambda i: torch.amin(i["input"], reduce_dims, keepdim=keep),
        "argmax": lambda i: torch.argmax(i["input"], dim, keepdim=keep),
        "argmin": lambda i: torch.argmin(i["input"], dim, keepdim=keep),
        "maxPool2d": lambda i: F.max_pool2d(
            i["input"], a["kernelSize"], a.get("stride"), a.get("padding", 0), a.get("dilation", 1), a.get("ceilMode", False)),
        "maxPool1d": lambda i: F.max_pool1d(
            i["input"], a["kernelSize"], a.get("stride"), a.get("padding", 0), a.get("dilation", 1), a.get("ceilMode", False)),
        "adaptiveMaxPool2d": lambda i: F.adaptive_max_pool2d(i["input"], a["outputSize"]),
        "softmax": lambda i: F.softmax(i["input"], a["dim"]),
        "logSoftmax": lambda i: F.log_softmax(i["input"], a["dim"]),
        "crossEntropy": lambda i: F.cross_entropy(
            i["input"], i["target"].long(), reduction=a.get("reduction", "mean"), label_smoothing=a.get("labelSmoothing", 0.0)),
        "nllLoss": lambda i: F.nll_loss(i["input"], i["target"].long(), reduction=a.get("reduction", "mean")),
        "matmul": lambda i: torch.matmul(i["a"], i["b"]),
        "conv2d": lambda i: F.conv2d(i["input"], i["weight"], None, a.get("stride", 1), a.get("padding", 0)),
        "relu6": lambda i: F.relu6(i["input"]),
        "hardtanh": lambda i: F.hardtanh(i["input"], a.get("minVal", -1.0), a.get("maxVal", 1.0)),
        "hardswish": lambda i: F.hardswish(i["input"]),
        "hardsigmoid": lambda i: F.hardsigmoid(i["input"]),
        "silu": lambda i: F.silu(i["input"]),
        "mish": lambda i: F.mish(i["input"]),
        "softplus": lambda i: F.softplus(i["input"], a.get("beta", 1.0), a.get("threshold", 20.0)),
        "prelu": lambda i: F.prelu(i["input"], i["weight"]),
    }[op]


INDEX_INPUTS = {"crossEntropy": ["target"], "nllLoss": ["target"]}


class Cases:
    def __init__(self):
        self.cases = []
        self.names = set()

    def add(self, name, op, claim, inputs, attrs=None, grad=(), grad_out=None, signed_zeros=False):
        """grad: names of inputs to differentiate; grad_out: dy for outputs[0] (default 1, 2, 3, ...)."""
        assert name not in self.names, name
        self.names.add(name)
        attrs = attrs or {}
        leaves = {}
        for k, v in inputs.items():
            v = v.clone()
            if k in grad:
                v.requires_grad_(True)
            leaves[k] = v
        case = {"name": name, "op": op, "claim": claim, "attrs": attrs,
                "inputs": {k: self.input_json(op, k, v) for k, v in inputs.items()}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = op_fn(op, attrs)(leaves)
        case["outputs"] = [t_json(y)]
        if grad:
            dy = grad_out if grad_out is not None else torch.arange(1, y.numel() + 1, dtype=torch.float32).reshape(y.shape)
            y.backward(dy)
            case["gradOutputs"] = [t_json(dy)]
            case["grads"] = {k: t_json(leaves[k].grad) for k in grad}
        if signed_zeros:
            case["signedZeros"] = True
        self.cases.append(case)

    def error(self, name, op, claim, inputs, attrs=None):
        assert name not in self.names, name
        self.names.add(name)
        attrs = attrs or {}
        try:
            op_fn(op, attrs)(inputs)
        except (RuntimeError, IndexError, ValueError) as e:
            message = "%s: %s" % (type(e).__name__, str(e).splitlines()[0])
        else:
            raise AssertionError("torch accepted %s, which this case says is an error" % name)
        self.cases.append({"name": name, "op": op, "claim": claim, "attrs": attrs,
                           "inputs": {k: self.input_json(op, k, v) for k, v in inputs.items()}, "error": message})

    @staticmethod
    def input_json(op, name, v):
        j = t_json(v)
        if name in INDEX_INPUTS.get(op, []):
            j["dtype"] = "int32"
        return j


SPECIALS = [nan, -0.0, 0.0, inf, -inf, -1.5, 2.0]


def elementwise(c):
    claim = "unary ops: PyTorch's answers on NaN, +-inf and +-0"
    c.add("relu/specials", "relu", "relu(NaN) = NaN, relu(-0) = -0, relu(-inf) = 0; its gradient passes dy at NaN",
          {"input": t(SPECIALS)}, grad=["input"], signed_zeros=True)
    grid = torch.randn(5, 7)
    grid[0, 3] = nan
    grid[2, 0] = nan
    grid[4, 6] = -inf
    grid[3, 5] = inf
    c.add("relu/grid-with-nan", "relu", "relu keeps NaN wherever it sits in a tensor", {"input": grid}, grad=["input"])
    c.add("leakyRelu/specials", "leakyRelu", claim + "; gradient at NaN is slope*dy", {"input": t(SPECIALS)},
          {"negativeSlope": 0.1}, grad=["input"])
    c.add("elu/specials", "elu", claim + "; gradient at NaN is dy", {"input": t(SPECIALS)}, {"alpha": 1.0}, grad=["input"])
    c.add("gelu/specials", "gelu", claim + "; gelu(-inf) = NaN", {"input": t(SPECIALS + [-1e4, 1e4])})
    c.add("sigmoid/specials", "sigmoid", claim, {"input": t(SPECIALS + [100.0, -100.0, 1e4, -1e4])}, grad=["input"])
    c.add("tanh/specials", "tanh", claim, {"input": t(SPECIALS + [20.0, -20.0, 1e4])}, grad=["input"])
    c.add("exp/overflow", "exp", "exp overflows to inf in float32 (exp(89) = inf), exp(-inf) = 0",
          {"input": t([100.0, -100.0, 88.7, 89.0, inf, -inf, nan, 0.0, -1e4])})
    c.add("log/zero-and-negative", "log", "log(+-0) = -inf, log(-1) = NaN, log(inf) = inf",
          {"input": t([0.0, -0.0, -1.0, inf, nan, 1.0, -inf])})
    c.add("sqrt/specials", "sqrt", "sqrt(-0) = -0, sqrt(-1) = NaN", {"input": t(SPECIALS)}, signed_zeros=True)
    c.add("rsqrt/specials", "rsqrt", "rsqrt(+0) = inf, rsqrt(-0) = -inf, rsqrt(inf) = 0", {"input": t(SPECIALS)})
    c.add("reciprocal/specials", "reciprocal", "1/+0 = inf, 1/-0 = -inf, 1/inf = 0", {"input": t(SPECIALS)})
    c.add("abs/specials", "abs", "abs(-0) = +0, abs(-inf) = inf; the gradient at NaN and at +-0 is 0 (sign(NaN) = 0)",
          {"input": t(SPECIALS)}, grad=["input"], signed_zeros=True)
    c.add("neg/specials", "neg", "neg flips the sign of zeros and infinities", {"input": t(SPECIALS)}, signed_zeros=True)
    c.add("square/specials", "square", claim, {"input": t(SPECIALS)})
    c.add("erf/specials", "erf", "erf(+-inf) = +-1, erf(-0) = -0", {"input": t(SPECIALS + [10.0, -10.0])}, signed_zeros=True)
    base = t([-0.0, -inf, inf, 0.0, nan, -1.0, 4.0, -8.0])
    for e in [0.5, -0.5, 2.0, 3.0, -1.0, -2.0, 0.0, 1.5, 1.0 / 3.0]:
        c.add("pow/exponent-%g" % e, "pow", "pow(x, e) on -0, +-inf, NaN and negative bases as torch.pow (x^+-0.5 is sqrt / rsqrt, so "
              "pow(-inf, 0.5) = NaN; pow(NaN, 0) = 1; pow(-0, -2) = inf)",
              {"input": base}, {"exponent": e})
    c.add("clamp/nan-and-bounds", "clamp", "clamp(NaN) = NaN; its gradient is dy where min <= x <= max, 0 at NaN",
          {"input": t([nan, -5.0, 5.0, inf, -inf, 0.0, -1.0, 1.0])}, {"min": -1.0, "max": 1.0}, grad=["input"])
    c.add("clamp/min-above-max", "clamp", "min > max gives max everywhere (NaN stays NaN)",
          {"input": t([nan, -5.0, 5.0, 0.0])}, {"min": 1.0, "max": -1.0})
    c.add("clamp/min-only", "clamp", "clamp with only a lower bound", {"input": t(SPECIALS)}, {"min": 0.0})


def binary(c):
    a = t([nan, 1.0, nan, inf, -inf, 2.0, 3.0, -0.0])
    b = t([1.0, nan, nan, nan, 5.0, 2.0, -inf, 0.0])
    c.add("maximum/nan-either-side", "maximum", "maximum(NaN, x) = maximum(x, NaN) = NaN; the gradient of a tie is "
          "split in halves and NaN passes dy to both operands", {"a": a, "b": b}, grad=["a", "b"])
    c.add("minimum/nan-either-side", "minimum", "minimum(NaN, x) = minimum(x, NaN) = NaN; ties split the gradient",
          {"a": a, "b": b}, grad=["a", "b"])
    rows = t([1.0, nan, -inf, 4.0, 0.5, inf], [2, 3])
    c.add("maximum/broadcast-nan", "maximum", "NaN propagates through a broadcast operand",
          {"a": rows, "b": t([nan, 0.0, 0.0])}, grad=["a", "b"])
    c.add("minimum/broadcast-nan", "minimum", "NaN propagates through a broadcast operand",
          {"a": rows, "b": t([0.0], [1, 1])}, grad=["a", "b"])
    c.add("powTensor/c-pow-rules", "powTensor", "pow(1, y) = 1 even for y = NaN, pow(-1, +-inf) = 1, pow(x, 0) = 1",
          {"a": t([1.0, 1.0, -1.0, -1.0, nan, 2.0, 0.0, -0.0, -8.0, 2.0, 0.5]),
           "b": t([nan, inf, inf, -inf, 0.0, nan, -1.0, -1.0, 1.0 / 3.0, -inf, -inf])})
    c.add("add/inf-minus-inf", "add", "inf + -inf = NaN", {"a": t([inf, inf, -inf, nan]), "b": t([-inf, 1.0, -inf, 0.0])})
    c.add("div/by-zero", "div", "x/+-0 = +-inf, 0/0 = NaN", {"a": t([1.0, -1.0, 0.0, nan, 1.0, inf]),
                                                             "b": t([0.0, 0.0, 0.0, 0.0, -0.0, inf])})
    x = t([nan, nan, 1.0, inf, -inf, -0.0])
    y = t([nan, 1.0, nan, inf, -inf, 0.0])
    c.add("eq/nan-and-zeros", "eq", "NaN equals nothing, not even NaN; -0 == +0", {"a": x, "b": y})
    c.add("ge/nan-and-inf", "ge", "comparisons with NaN are false; inf >= inf", {"a": x, "b": y})
    c.add("lt/nan-and-inf", "lt", "comparisons with NaN are false", {"a": x, "b": y})
    c.add("relu/empty", "relu", "elementwise ops on an empty tensor give an empty tensor", {"input": torch.zeros(0, 3)})
    c.add("add/empty-broadcast", "add", "broadcasting against an empty dimension gives an empty result",
          {"a": torch.zeros(2, 0), "b": torch.zeros(1)})


def reductions(c):
    x = t([1.0, nan, 3.0, 4.0, 2.0, 5.0, -inf, -inf, -inf, inf, 7.0, inf], [4, 3])
    for op in ["max", "min"]:
        c.add("%s/dim1-nan-inf-ties" % op, op, "max/min over a slice holding NaN is NaN; the gradient of a tie is split "
              "(torch.amax), and a slice holding NaN gets NaN gradients", {"input": x}, {"dim": 1}, grad=["input"])
        c.add("%s/dim0-keepdim" % op, op, "NaN propagates down columns too", {"input": x}, {"dim": 0, "keepDim": True},
              grad=["input"])
        c.add("%s/all" % op, op, "a full reduction over a tensor holding NaN is NaN", {"input": x})
        c.add("%s/other-dim-empty" % op, op, "reducing a non-empty dim of an empty tensor gives an empty result",
              {"input": torch.zeros(0, 3)}, {"dim": 1})
        c.error("%s/empty-dim" % op, op, "max/min over an empty dimension is an error (no identity)",
                {"input": torch.zeros(2, 0)}, {"dim": 1})
        c.error("%s/empty-all" % op, op, "max/min of an empty tensor is an error", {"input": torch.zeros(0)})
    ties = t([3.0, 1.0, 3.0, nan, 2.0, nan, inf, 0.0, inf, -inf, -inf, -inf, 1.0, 1.0, 0.0], [5, 3])
    for op in ["argmax", "argmin"]:
        c.add("%s/dim1-first-nan-first-tie" % op, op, "argmax/argmin pick the first NaN, else the first of tied extremes",
              {"input": ties}, {"dim": 1})
        c.add("%s/dim0" % op, op, "argmax/argmin down columns", {"input": ties}, {"dim": 0, "keepDim": True})
        c.add("%s/flat" % op, op, "without dim, the index into the flattened tensor", {"input": ties})
        c.add("%s/other-dim-empty" % op, op, "reducing a non-empty dim of an empty tensor gives an empty result",
              {"input": torch.zeros(0, 3)}, {"dim": 1})
        c.error("%s/empty-dim" % op, op, "argmax/argmin over an empty dimension is an error",
                {"input": torch.zeros(2, 0)}, {"dim": 1})
        c.error("%s/empty-flat" % op, op, "argmax/argmin of an empty tensor is an error", {"input": torch.zeros(0)})
    c.add("sum/nan-inf", "sum", "sums propagate NaN; inf + -inf = NaN",
          {"input": t([1.0, nan, 3.0, inf, -inf, 0.0, inf, 1.0, 2.0], [3, 3])}, {"dim": 1}, grad=["input"])
    c.add("sum/empty-dim", "sum", "the sum over an empty dimension is 0", {"input": torch.zeros(2, 0, 3)}, {"dim": 1})
    c.add("sum/empty-all", "sum", "the sum of an empty tensor is 0", {"input": torch.zeros(0)})
    c.add("sum/overflow", "sum", "a float32 sum that overflows is inf", {"input": t([3e38, 3e38, -1.0])})
    c.add("mean/empty-dim", "mean", "the mean over an empty dimension is NaN (0/0)", {"input": torch.zeros(3, 0)}, {"dim": 1})
    c.add("mean/empty-all", "mean", "the mean of an empty tensor is NaN", {"input": torch.zeros(0)})
    c.add("variance/one-value-unbiased", "variance", "the unbiased variance of one value is NaN",
          {"input": t([2.0, 3.0], [2, 1])}, {"dim": 1})
    c.add("variance/one-value-biased", "variance", "the biased variance of one value is 0",
          {"input": t([2.0, 3.0], [2, 1])}, {"dim": 1, "unbiased": False})


def pooling(c):
    x = t([1.0, nan, 3.0, 4.0,
           5.0, 6.0, 7.0, 8.0,
           9.0, 10.0, nan, 12.0,
           13.0, 14.0, 15.0, nan], [1, 1, 4, 4])
    c.add("maxPool2d/nan-window", "maxPool2d", "a window holding NaN gives NaN; dy goes to its NaN (the last, if several)",
          {"input": x}, {"kernelSize": 2}, grad=["input"])
    two = t([nan, 1.0, 2.0,
             3.0, nan, 4.0,
             5.0, 6.0, nan], [1, 1, 3, 3])
    c.add("maxPool2d/overlapping-two-nans", "maxPool2d", "a window holding several NaNs routes dy to the LAST NaN "
          "(torch's `val > max || isnan(val)` scan)", {"input": two}, {"kernelSize": 2, "stride": 1}, grad=["input"])
    ties = t([4.0, 4.0, 1.0, 4.0,
              2.0, 4.0, 4.0, 0.0,
              -inf, -inf, 3.0, 3.0,
              -inf, -inf, 3.0, 3.0], [1, 1, 4, 4])
    c.add("maxPool2d/ties", "maxPool2d", "tied maxima: dy goes to the first (row-major) of them; an all -inf window "
          "gives -inf and routes dy to its first cell", {"input": ties}, {"kernelSize": 2}, grad=["input"])
    c.add("maxPool2d/all-neg-inf-padded", "maxPool2d", "padding never wins: an all -inf input gives -inf, dy to the "
          "first input cell of each window", {"input": torch.full((1, 1, 3, 3), -inf)},
          {"kernelSize": 2, "stride": 2, "padding": 1}, grad=["input"])
    big = torch.randn(2, 3, 7, 7)
    # Dilation 2 with padding 1 reads odd rows and columns only.
    big[0, 1, 3, 3] = nan
    big[1, 2, 5, 5] = nan
    big[0, 2, 1, 1] = nan  # two NaNs in one window
    big[0, 2, 1, 3] = nan
    big[1, 0, 1, 1] = inf
    big[0, 0, 5, 3] = -inf
    c.add("maxPool2d/dilated-ceil-nan", "maxPool2d", "NaN propagates through dilated, padded, ceil-mode windows",
          {"input": big}, {"kernelSize": 3, "stride": 2, "padding": 1, "dilation": 2, "ceilMode": True}, grad=["input"])
    c.add("adaptiveMaxPool2d/two-nans", "adaptiveMaxPool2d", "adaptive max pooling: NaN wins, dy to the last NaN",
          {"input": t([1.0, nan, 3.0, nan], [1, 1, 2, 2])}, {"outputSize": 1}, grad=["input"])
    c.add("adaptiveMaxPool2d/nan-ties", "adaptiveMaxPool2d", "adaptive windows: NaN and ties as max pooling",
          {"input": t([4.0, 4.0, nan, 1.0, 2.0,
                       0.0, 4.0, 1.0, 1.0, 2.0,
                       3.0, 3.0, 3.0, 3.0, -inf], [1, 1, 3, 5])}, {"outputSize": [2, 3]}, grad=["input"])
    c.add("maxPool1d/two-nans", "maxPool1d", "max pooling over a line: the last NaN of a window",
          {"input": t([1.0, nan, nan, 2.0, 3.0, 3.0], [1, 1, 6])}, {"kernelSize": 3}, grad=["input"])


def softmax_losses(c):
    logits = t([1e4, -1e4, 0.0, 1e4,
                -1e4, -1e4, -1e4, -1e4,
                5.0, 1e4, -1e4, -3.0], [3, 4])
    for op in ["softmax", "logSoftmax"]:
        c.add("%s/plus-minus-1e4" % op, op, "softmax and log-softmax stay finite on logits of +-1e4",
              {"input": logits}, {"dim": 1}, grad=["input"])
        c.add("%s/plus-minus-1e4-dim0" % op, op, "softmax and log-softmax stay finite along any dim",
              {"input": logits}, {"dim": 0}, grad=["input"])
        c.add("%s/neg-inf" % op, op, "a -inf logit has probability 0 (log-probability -inf)",
              {"input": t([-inf, 0.0, 1.0, 2.0, -inf, 3.0], [2, 3])}, {"dim": 1}, grad=["input"])
        c.add("%s/pos-inf" % op, op, "a +inf logit makes its row NaN (inf - inf), as in torch",
              {"input": t([inf, 0.0, 1.0, 2.0, 3.0, 4.0], [2, 3])}, {"dim": 1})
    target = t([0, 1, 3], dtype=torch.int32)
    for reduction in ["mean", "sum", "none"]:
        c.add("crossEntropy/plus-minus-1e4-%s" % reduction, "crossEntropy", "cross-entropy stays finite on logits of "
              "+-1e4", {"input": logits, "target": target}, {"reduction": reduction}, grad=["input"],
              grad_out=None if reduction == "none" else torch.tensor(1.0))
    masked = t([-inf, 2.0, 0.5, 1.0, -inf, -inf, 0.0, 3.0], [2, 4])
    c.add("crossEntropy/masked-logit", "crossEntropy", "a -inf logit of another class (a masked logit) leaves the loss "
          "finite", {"input": masked, "target": t([1, 3], dtype=torch.int32)}, {"reduction": "mean"}, grad=["input"],
          grad_out=torch.tensor(1.0))
    c.add("crossEntropy/target-neg-inf", "crossEntropy", "a -inf logit at the target gives an infinite loss",
          {"input": masked, "target": t([0, 2], dtype=torch.int32)}, {"reduction": "none"})
    c.add("crossEntropy/smoothing-neg-inf", "crossEntropy", "with label smoothing every class counts: -inf gives inf",
          {"input": masked, "target": t([1, 3], dtype=torch.int32)}, {"reduction": "none", "labelSmoothing": 0.1})
    c.add("nllLoss/neg-inf-elsewhere", "nllLoss", "nllLoss reads only the target's entry; -inf elsewhere is ignored",
          {"input": masked, "target": t([1, 3], dtype=torch.int32)}, {"reduction": "sum"}, grad=["input"],
          grad_out=torch.tensor(1.0))


def linear_algebra(c):
    c.add("matmul/empty-inner", "matmul", "a product over an empty inner dimension is all zeros",
          {"a": torch.zeros(2, 0), "b": torch.zeros(0, 3)})
    c.add("matmul/nan-inf", "matmul", "NaN and inf propagate through sums of products; 0 * inf = NaN",
          {"a": t([1.0, inf, inf, 1.0, nan, 1.0, 2.0, 3.0], [4, 2]), "b": t([1.0, 0.0, 2.0, 1.0], [2, 2])})
    x = torch.zeros(1, 1, 6, 6)
    x[0, 0, 0, 0] = nan
    x[0, 0, 5, 5] = inf
    c.add("conv2d/nan-inf-receptive-field", "conv2d", "a NaN / inf input reaches only the outputs whose window "
          "covers it", {"input": x, "weight": torch.ones(1, 1, 3, 3)}, {"padding": 0})
    # 8 channels in and out, 3x3, stride 1: the size where the cpu and workers backends use Winograd F(2x2, 3x3).
    x = torch.randn(1, 8, 7, 7)
    x[0, 2, 2, 2] = nan
    x[0, 5, 6, 0] = nan
    c.add("conv2d/nan-winograd-sized", "conv2d", "NaN reaches only the outputs whose window covers it, whatever the "
          "algorithm", {"input": x, "weight": torch.randn(8, 8, 3, 3)}, {"padding": 1})
    # Winograd's transforms subtract inputs from each other: an inf there would turn into inf - inf = NaN.
    x = torch.randn(1, 8, 7, 7)
    x[0, 3, 3, 3] = inf
    x[0, 6, 0, 5] = -inf
    dy = torch.randn(1, 8, 7, 7)
    dy[0, 1, 4, 2] = inf
    c.add("conv2d/inf-winograd-sized", "conv2d", "an infinite input gives +-inf (not NaN) in the outputs whose window "
          "covers it, and an infinite dy likewise in dx, whatever the algorithm",
          {"input": x, "weight": torch.randn(8, 8, 3, 3)}, {"padding": 1}, grad=["input"], grad_out=dy)


# 16 values: PyTorch 1.13's CPU kernels run 16 elements at a time vectorised and the rest in a scalar loop, and the
# two disagree on some gradients (hardtanh_backward at NaN: 0 vs dy; hardswish_backward at NaN: NaN vs dy, at 3:
# dy vs 1.5 dy). The library follows the vectorised kernels, which every tensor of 16 or more elements takes.
TOOLKIT_SPECIALS = [nan, -0.0, 0.0, inf, -inf, -3.0, 3.0, 6.0, -1.5, 2.0, -20.0, 20.0, 25.0, 1e4, -1e4, 0.5]


def toolkit_activations(c):
    x = t(TOOLKIT_SPECIALS)
    c.add("relu6/specials", "relu6", "relu6(NaN) = NaN; its gradient is dy strictly inside (0, 6): 0 at 0, 6 and NaN",
          {"input": x}, grad=["input"])
    c.add("hardtanh/specials", "hardtanh", "hardtanh is clamp; its gradient is dy strictly inside (min, max), 0 at NaN",
          {"input": x}, {"minVal": -3.0, "maxVal": 2.0}, grad=["input"])
    c.add("hardswish/specials", "hardswish", "hardswish(-inf) = NaN (-inf * 0); gradient 0 below -3, x/3 + 1/2 on "
          "[-3, 3), dy from 3 on, NaN at NaN", {"input": x}, grad=["input"])
    c.add("hardsigmoid/specials", "hardsigmoid", "hardsigmoid(NaN) = NaN; gradient dy/6 strictly inside (-3, 3), 0 at "
          "NaN", {"input": x}, grad=["input"])
    c.add("silu/specials", "silu", "silu = x / (1 + exp(-x)): silu(-inf) = NaN, silu(inf) = inf; gradient NaN at +-inf",
          {"input": x}, grad=["input"])
    c.add("mish/specials", "mish", "mish = x * tanh(log1p(exp(x))): mish(-inf) = NaN, mish(inf) = inf; gradient NaN at "
          "+-inf", {"input": x}, grad=["input"])
    c.add("softplus/specials", "softplus", "softplus(-inf) = 0, softplus(inf) = inf, linear above the threshold",
          {"input": x}, {"beta": 1.0, "threshold": 20.0}, grad=["input"])
    c.add("softplus/beta2-threshold3", "softplus", "beta * x is compared with the threshold", {"input": x},
          {"beta": 2.0, "threshold": 3.0}, grad=["input"])
    c.add("prelu/specials", "prelu", "prelu(NaN) = NaN; the input gradient at NaN is weight * dy, the weight's gets "
          "NaN from it", {"input": t(TOOLKIT_SPECIALS).reshape(1, 2, 8), "weight": t([0.25, -0.5])},
          grad=["input", "weight"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output file (default: %(default)s)")
    args = ap.parse_args(argv)
    torch.manual_seed(20231113)
    torch.set_num_threads(1)
    c = Cases()
    for section in [elementwise, binary, reductions, pooling, softmax_losses, linear_algebra, toolkit_activations]:
        section(c)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write('{"format": %s, "generator": %s, "cases": [\n' % (
            json.dumps(FORMAT), json.dumps("pytorch %s, tools/golden/special_values.py" % torch.__version__)))
        fh.write(",\n".join(json.dumps(case, allow_nan=False) for case in c.cases))
        fh.write("\n]}\n")
    print("special values: %d cases -> %s" % (len(c.cases), os.path.relpath(args.out)))


if __name__ == "__main__":
    sys.exit(main())
