"""Reductions over dimensions: sum, mean, amax, amin (with gradients), argmax, argmin (int32 indices).

`amax`/`amin`, not `max(dim)`/`min(dim)`: the library's `F.max`/`F.min` return values only and share the gradient
equally among tied extrema, which is torch.amax/amin's backward. torch.max(x, dim) sends it all to the one index it
returns instead, so the two differ exactly on ties, which the `ties` cases below contain.
"""

import numpy as np
import torch

from .common import OpFile, dim_s, randn, shape_s

# (shape, dims): an int, a list of ints (contiguous or not, negative allowed) or None (every dimension).
REDUCE_CFGS = [
    ((3, 4, 5), [0, 1, 2, -1, -2, [0, 1], [1, 2], [0, 2], [0, -1], [0, 1, 2], None]),
    ((2, 3, 4, 5), [1, -3, [0, 2], [1, 3], [0, 2, 3], [-1, -2], None]),
    ((7,), [0, -1, None]),
    ((6, 1), [1, 0, None]),
    ((1, 5, 1, 3), [[0, 2], 1]),
]

# Configurations repeated with inputs full of exact ties (small integers) for amax / amin.
TIE_CFGS = [
    ((4, 6), [1, 0, None]),
    ((3, 4, 5), [2, [0, 2], None]),
    ((2, 3, 2, 4), [[1, 3], -1]),
]


def ties(shape):
    """Floats drawn from {-2, …, 2}: every reduced row of a few elements holds repeated extrema."""
    return torch.randint(-2, 3, shape).float()


def _all_dims(shape, dim):
    return list(range(len(shape))) if dim is None else dim


def _attrs(dim, keep):
    attrs = {} if dim is None else {"dim": dim}
    attrs["keepDim"] = keep
    return attrs


def _desc(shape, dim, keep, tag=""):
    return "%s%s-dim%s%s" % (tag, shape_s(shape), "all" if dim is None else dim_s(dim), "-keep" if keep else "")


def gen_reduce(op):
    """sum / mean / amax / amin: attrs `dim` (int, list, or absent for all) and `keepDim`."""
    fun = {"sum": torch.sum, "mean": torch.mean, "amax": torch.amax, "amin": torch.amin}[op]
    f = OpFile(op)

    def case(shape, dim, keep, x, tag=""):
        f.add(_desc(shape, dim, keep, tag), _attrs(dim, keep), {"input": x},
              lambda t: [fun(t["input"], _all_dims(shape, dim), keepdim=keep)], ["input"])

    for shape, dims in REDUCE_CFGS:
        for dim in dims:
            for keep in (False, True):
                case(shape, dim, keep, randn(*shape))
    if op in ("amax", "amin"):
        for shape, dims in TIE_CFGS:
            for dim in dims:
                for keep in (False, True):
                    case(shape, dim, keep, ties(shape), tag="ties-")
    return f


ARG_CFGS = [
    ((3, 4, 5), [0, 1, 2, -1]),
    ((2, 3, 4, 5), [1, -1, 3]),
    ((7,), [0]),
    ((6, 1), [0, 1]),
    ((5, 8), [1]),
]


def _first_index_reference(x, op, dim):
    """numpy's argmax/argmin return the first of tied indices; the fixtures must say the same."""
    a = x.numpy()
    fun = np.argmax if op == "argmax" else np.argmin
    return fun(a) if dim is None else fun(a, axis=dim)


def gen_arg_reduce(op):
    """argmax / argmin: attrs `dim` (absent: index into the flattened input) and `keepDim` (only with `dim`)."""
    fun = torch.argmax if op == "argmax" else torch.argmin
    f = OpFile(op)

    def case(shape, dim, keep, x, tag):
        if dim is None:
            attrs, run = {}, (lambda t: [fun(t["input"])])
        else:
            attrs, run = {"dim": dim, "keepDim": keep}, (lambda t: [fun(t["input"], dim, keepdim=keep)])
        got = run({"input": x})[0]
        want = _first_index_reference(x, op, dim)
        assert np.array_equal(got.reshape(-1).numpy(), np.asarray(want).reshape(-1)), "%s: ties not first-index" % op
        f.add(_desc(shape, dim, keep, tag), attrs, {"input": x}, run, [])

    for shape, dims in ARG_CFGS:
        for dim in dims:
            for keep in (False, True):
                case(shape, dim, keep, randn(*shape), "")
                case(shape, dim, keep, ties(shape), "ties-")
        case(shape, None, False, randn(*shape), "")
        case(shape, None, False, ties(shape), "ties-")
    # Every element equal: the answer is index 0 of each row.
    case((3, 6), 1, False, torch.full((3, 6), 0.5), "constant-")
    case((4, 5), None, False, torch.full((4, 5), -1.25), "constant-")
    return f
