"""Shape and layout ops: pad, slice, concat, permute, transpose; dtype conversion (cast)."""

import random

import torch
import torch.nn.functional as F

from .common import TOL_EXACT, Invalid, OpFile, dim_s, ff, randn, shape_s, tolerant


def gen_pad(seed):
    f = OpFile("pad")
    rng = random.Random(seed)

    def case(shape, pad, mode, value=0, tag=None):
        H, W = shape[2], shape[3]
        l, r, t_, b = pad
        if mode == "reflect" and (max(l, r) >= W or max(t_, b) >= H):
            raise Invalid("reflect")
        if mode == "circular" and (max(l, r) > W or max(t_, b) > H):
            raise Invalid("circular")
        attrs = {"pad": list(pad), "mode": mode}
        if mode == "constant":
            attrs["value"] = value
        desc = "%s-%s-%s" % (mode, "p" + "_".join(str(x) for x in pad), shape_s(shape))
        if mode == "constant" and value != 0:
            desc += "-v%s" % ff(value)
        if tag:
            desc = tag + "-" + desc

        def fn(t):
            if mode == "constant":
                return [F.pad(t["input"], list(pad), mode="constant", value=float(value))]
            return [F.pad(t["input"], list(pad), mode=mode)]

        return f.add(desc, attrs, {"input": randn(*shape)}, fn, ["input"])

    tcase = tolerant(case)

    for mode in ("constant", "reflect", "replicate", "circular"):
        case((2, 2, 5, 6), (1, 2, 1, 2), mode)
        case((1, 3, 4, 4), (1, 1, 1, 1), mode)
        case((2, 1, 6, 5), (0, 0, 0, 0), mode, tag="zero")
        case((1, 2, 5, 7), (3, 0, 0, 2), mode, tag="asym")
        case((1, 2, 6, 4), (0, 3, 4, 0), mode, tag="asym")
        case((2, 2, 3, 3), (2, 2, 2, 2), mode, tag="max-reflect")
        case((1, 1, 4, 5), (0, 0, 3, 1), mode, tag="rows-only")
        case((1, 1, 4, 5), (2, 4, 0, 0), mode, tag="cols-only")
    case((2, 2, 4, 5), (1, 2, 1, 2), "constant", 1.5)
    case((1, 3, 3, 3), (2, 0, 1, 3), "constant", -0.25)
    case((1, 1, 2, 2), (3, 3, 3, 3), "constant", 2.0)
    case((1, 2, 3, 4), (4, 4, 3, 3), "circular", tag="full-wrap")
    case((1, 2, 3, 4), (5, 6, 7, 2), "replicate", tag="big")
    count = 0
    while count < 20:
        shape = (rng.randint(1, 2), rng.randint(1, 2), rng.randint(1, 8), rng.randint(1, 8))
        pad = tuple(rng.randint(0, 4) for _ in range(4))
        mode = rng.choice(["constant", "reflect", "replicate", "circular"])
        value = rng.choice([0, 0, 1.0, -2.5, 0.75]) if mode == "constant" else 0
        if tcase(shape, pad, mode, value):
            count += 1
    return f


def gen_slice(seed):
    """x[..., start:end:step] along `dim`, Python's clamping of out-of-range and negative bounds included."""
    f = OpFile("slice")
    cfgs = [
        ((5, 6, 7), 0, 1, 4, None),
        ((5, 6, 7), 1, 0, None, None),
        ((5, 6, 7), 2, 2, 7, 2),
        ((5, 6, 7), -1, -5, -1, None),
        ((5, 6, 7), 1, -100, 100, None),
        ((5, 6, 7), 2, 0, None, 3),
        ((5, 6, 7), 0, 0, 5, 10),
        ((5, 6, 7), -2, 4, None, 1),
        ((5, 6, 7), -3, -2, None, 2),
        ((11,), 0, 3, 9, 2),
        ((11,), -1, -4, None, None),
        ((11,), 0, 10, 11, None),
        ((2, 3, 4, 5), 0, 1, 2, None),
        ((2, 3, 4, 5), 1, 1, None, None),
        ((2, 3, 4, 5), 2, 1, 3, None),
        ((2, 3, 4, 5), 3, 1, 5, 3),
        ((2, 3, 4, 5), -1, 0, -1, 2),
        ((4, 9), 1, -7, -2, 2),
        ((4, 9), 0, 2, 100, None),
    ]
    for shape, dim, start, end, step in cfgs:
        attrs = {"dim": dim, "start": start}
        if end is not None:
            attrs["end"] = end
        if step is not None:
            attrs["step"] = step
        desc = "%s-dim%s-%s_%s%s" % (shape_s(shape), dim_s(dim), dim_s(start), "end" if end is None else dim_s(end),
                                     "" if step is None else "_step%d" % step)
        index = [slice(None)] * len(shape)
        index[dim] = slice(start, end, step)
        f.add(desc, attrs, {"input": randn(*shape)}, lambda t, index=tuple(index): [t["input"][index]], ["input"])
    return f


def gen_concat(seed):
    """torch.concat (= torch.cat); inputs `input0`, `input1`, … in order."""
    f = OpFile("concat")
    cfgs = [
        ([(2, 3), (4, 3)], 0),
        ([(2, 3), (2, 5), (2, 1)], 1),
        ([(2, 3), (2, 5), (2, 1)], -1),
        ([(3, 2, 4), (3, 1, 4), (3, 5, 4), (3, 2, 4)], 1),
        ([(1, 2, 3), (2, 2, 3)], 0),
        ([(2, 3, 4), (2, 3, 1)], 2),
        ([(2, 3, 4), (2, 3, 2), (2, 3, 3)], -1),
        ([(2, 3, 2, 2), (2, 1, 2, 2)], 1),
        ([(2, 2, 3, 4), (2, 2, 3, 1)], 3),
        ([(2, 2, 3, 4), (2, 2, 1, 4), (2, 2, 2, 4)], -2),
        ([(1, 2, 3, 4), (3, 2, 3, 4)], -4),
        ([(3, 4)], 0),
        ([(5,), (3,), (1,)], 0),
        ([(4, 1), (4, 1), (4, 1), (4, 1), (4, 1)], 1),
    ]
    for shapes, dim in cfgs:
        names = ["input%d" % i for i in range(len(shapes))]
        inputs = {n: randn(*s) for n, s in zip(names, shapes)}
        desc = "%s-dim%s" % ("+".join(shape_s(s) for s in shapes), dim_s(dim))
        f.add(desc, {"dim": dim}, inputs, lambda t, names=names, dim=dim: [torch.concat([t[n] for n in names], dim)], names)
    return f


def gen_permute(seed):
    f = OpFile("permute")
    cfgs = [
        ((2, 3, 4), [2, 0, 1]), ((2, 3, 4), [1, 0, 2]), ((2, 3, 4), [0, 2, 1]), ((2, 3, 4), [-1, -3, -2]),
        ((2, 3, 4), [0, 1, 2]), ((2, 3, 4, 5), [0, 2, 3, 1]), ((2, 3, 4, 5), [3, 2, 1, 0]), ((2, 3, 4, 5), [1, 0, 3, 2]),
        ((5, 6), [1, 0]), ((7,), [0]), ((1, 4, 1, 3), [3, 1, 0, 2]), ((2, 2, 3, 2, 3), [4, 0, 3, 1, 2]),
    ]
    for shape, dims in cfgs:
        f.add("%s-dims%s" % (shape_s(shape), dim_s(dims)), {"dims": dims}, {"input": randn(*shape)},
              lambda t, dims=dims: [t["input"].permute(dims)], ["input"])
    return f


def gen_transpose(seed):
    f = OpFile("transpose")
    cfgs = [
        ((3, 4), 0, 1), ((3, 4), -1, -2), ((2, 3, 4), 0, 2), ((2, 3, 4), -1, -2), ((2, 3, 4), 1, 1),
        ((2, 3, 4, 5), 1, 3), ((2, 3, 4, 5), 0, -1), ((2, 3, 4, 5), 2, 1), ((6, 1, 5), 0, 1),
    ]
    for shape, d0, d1 in cfgs:
        f.add("%s-%s_%s" % (shape_s(shape), dim_s(d0), dim_s(d1)), {"dim0": d0, "dim1": d1}, {"input": randn(*shape)},
              lambda t, d0=d0, d1=d1: [torch.transpose(t["input"], d0, d1)], ["input"])
    return f


# Largest float32 below 2**31, and -2**31: the ends of int32 that float32 can hold.
F32_INT_MAX = 2147483520.0
F32_INT_MIN = -2147483648.0


def gen_cast(seed):
    """float32 -> int32 truncates toward zero (in range; out of range is undefined in C++ and so in PyTorch);
    int32 -> float32 rounds to nearest even. Exact comparison (tolerance 0)."""
    f = OpFile("cast")

    def case(desc, x, dtype):
        to = {"int32": torch.int32, "float32": torch.float32}[dtype]
        f.add(desc, {"dtype": dtype}, {"input": x}, lambda t: [t["input"].to(to)], [], TOL_EXACT)

    case("f2i-randn-4x5-scale10", randn(4, 5, scale=10.0), "int32")
    case("f2i-randn-3x2x4-scale1e6", randn(3, 2, 4, scale=1e6), "int32")
    case("f2i-fractions", torch.tensor([-2.5, -1.5, -0.5, -0.99999994, -1e-30, 0.0, -0.0, 0.5, 0.99999994, 1.5, 2.5,
                                        -3.7, 3.7, 7.999, -7.999, 100.25, -100.75, 1e-30]), "int32")
    case("f2i-large", torch.tensor([F32_INT_MAX, F32_INT_MIN, 16777216.0, 16777218.0, -16777218.0, 1e9, -1e9,
                                    123456792.0, -123456792.0, 8388607.5, -8388607.5, 4194303.75, -2147483520.0]), "int32")
    case("i2f-small-3x7", torch.randint(-100, 100, (3, 7), dtype=torch.int32), "float32")
    case("i2f-large", torch.tensor([16777217, -16777217, 2147483647, -2147483648, 2147483583, 2147483584, 33554435,
                                    123456789, -987654321, 0, 1, -1, 16777219], dtype=torch.int32), "float32")
    case("f2f-identity-2x3", randn(2, 3), "float32")
    case("i2i-identity-5", torch.tensor([3, -7, 2147483647, -2147483648, 0], dtype=torch.int32), "int32")
    return f
