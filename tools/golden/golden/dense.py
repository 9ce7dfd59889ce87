"""batchNorm2d, linear and matmul."""

import torch
import torch.nn.functional as F

from .common import TOL, TOL_BN_TRAIN, OpFile, ff, randn, shape_s


def gen_batchnorm2d(seed):
    f = OpFile("batchNorm2d")

    def case(shape, training, momentum=0.1, eps=1e-5, running=True, tag=""):
        N, C, H, W = shape
        inputs = {
            "input": randn(*shape, scale=1.0) + float(torch.randn(1)) * 0.5,
            "weight": randn(C),
            "bias": randn(C),
        }
        inputs["input"] = inputs["input"].float()
        if running:
            inputs["runningMean"] = randn(C)
            inputs["runningVar"] = (torch.rand(C) + 0.5).float()
        if training:
            attrs = {"training": True, "momentum": momentum, "eps": eps}
        else:
            attrs = {"training": False, "eps": eps}
        desc = "%s%s-%s-eps%s" % ("train" if training else "eval", "" if running else "-nostats", shape_s(shape), ff(eps))
        if training and running:
            desc += "-mom%s" % ff(momentum)
        if tag:
            desc += "-" + tag

        def fn(t):
            rm = t["runningMean"].detach().clone() if running else None
            rv = t["runningVar"].detach().clone() if running else None
            y = F.batch_norm(t["input"], rm, rv, t["weight"], t["bias"], training, momentum, eps)
            if training and running:
                return [y, rm, rv]
            return [y]

        tol = TOL_BN_TRAIN if training else TOL
        f.add(desc, attrs, inputs, fn, ["input", "weight", "bias"], tol)

    case((3, 2, 3, 5), True)
    case((3, 2, 3, 5), False)
    case((2, 4, 5, 5), True, momentum=0.1, eps=1e-5)
    case((2, 4, 5, 5), True, momentum=0.01, eps=1e-3)
    case((2, 4, 5, 5), True, momentum=0.5, eps=0.1)
    case((2, 4, 5, 5), True, momentum=1.0, eps=1e-5)
    case((4, 3, 2, 2), True, momentum=0.3, eps=1e-4)
    case((1, 3, 4, 4), True, tag="n1")
    case((1, 2, 3, 5), True, momentum=0.2, eps=1e-3, tag="n1")
    case((1, 5, 1, 2), True, momentum=0.1, tag="n1-hw2")
    case((8, 2, 1, 1), True, momentum=0.1, tag="hw1")
    case((2, 1, 6, 7), True, tag="c1")
    case((5, 6, 3, 3), True, momentum=0.9, eps=1e-2)
    case((2, 3, 8, 8), True, eps=1e-5, tag="larger")
    # no running stats (outputs [y] only)
    case((3, 2, 3, 5), True, running=False)
    case((2, 4, 5, 5), True, eps=1e-3, running=False)
    case((1, 3, 4, 4), True, running=False, tag="n1")
    case((6, 2, 1, 1), True, eps=0.1, running=False, tag="hw1")
    case((2, 1, 5, 6), True, running=False, tag="c1")
    # eval
    case((2, 4, 5, 5), False, eps=1e-3)
    case((2, 4, 5, 5), False, eps=0.1)
    case((1, 3, 4, 4), False, tag="n1")
    case((1, 1, 1, 1), False, tag="single")
    case((4, 6, 3, 2), False, eps=1e-5)
    case((2, 1, 7, 5), False, tag="c1")
    return f


def gen_linear(seed):
    f = OpFile("linear")
    for N, i, o in [(4, 2, 11), (1, 5, 3), (3, 1, 4), (8, 16, 10), (2, 7, 1), (5, 12, 12), (16, 32, 8), (1, 1, 1), (3, 64, 20)]:
        def fn(t):
            return [F.linear(t["input"], t["weight"], t["bias"])]

        f.add("n%d-in%d-out%d" % (N, i, o), {}, {"input": randn(N, i), "weight": randn(o, i), "bias": randn(o)}, fn,
              ["input", "weight", "bias"])
    return f



def gen_matmul(seed):
    f = OpFile("matmul")
    cfgs = [
        ((3, 4), (4, 5)), ((1, 6), (6, 1)), ((5, 1), (1, 4)), ((8, 7), (7, 9)), ((1, 1), (1, 1)), ((12, 16), (16, 3)),
        ((2, 3, 4), (2, 4, 5)), ((4, 2, 6), (4, 6, 3)), ((1, 3, 4), (5, 4, 2)), ((3, 5, 2), (1, 2, 4)),
        ((1, 1, 7), (6, 7, 1)), ((6, 4, 1), (1, 1, 5)), ((3, 8, 8), (3, 8, 8)),
    ]
    for sa, sb in cfgs:
        tag = "2d" if len(sa) == 2 else ("batched" if sa[0] == sb[0] else "bcast")
        f.add("%s-%s-%s" % (tag, shape_s(sa), shape_s(sb)), {}, {"a": randn(*sa), "b": randn(*sb)},
              lambda t: [torch.matmul(t["a"], t["b"])], ["a", "b"])
    # torch.matmul's other shapes, appended so that the cases above keep their inputs: bmm-sized batches, 1-D operands
    # (a row vector on the left, a column on the right, dropped from the result), an operand without batch dims, and
    # batch dims of any rank where one side's batch holds a single matrix (including leading 1s, which stay in the result).
    more = [
        ("bmm", (4, 3, 5), (4, 5, 2)), ("bmm", (2, 16, 9), (2, 9, 17)), ("bmm", (5, 1, 6), (5, 6, 1)),
        ("vec", (5,), (5,)), ("vec", (1,), (1,)), ("vec", (4,), (4, 3)), ("vec", (3, 4), (4,)),
        ("vec", (2, 3, 4), (4,)), ("vec", (4,), (2, 4, 3)), ("vec", (6,), (2, 3, 6, 2)),
        ("3d-2d", (2, 3, 4), (4, 5)), ("3d-2d", (3, 1, 6), (6, 2)), ("2d-3d", (3, 4), (2, 4, 5)),
        ("4d", (2, 3, 4, 5), (2, 3, 5, 2)), ("4d-2d", (2, 3, 4, 5), (5, 3)), ("2d-4d", (4, 5), (2, 3, 5, 2)),
        ("4d-3d", (2, 3, 4, 5), (1, 5, 2)), ("lead1", (1, 3, 4), (4, 5)), ("lead1", (1, 1, 3, 4), (4, 5)),
        ("lead1", (3, 4), (1, 1, 4, 2)), ("lead1", (1, 1, 3, 4), (1, 4, 2)), ("lead1", (1, 3, 4), (2, 2, 4, 3)),
    ]
    for tag, sa, sb in more:
        f.add("%s-%s-%s" % (tag, shape_s(sa), shape_s(sb)), {}, {"a": randn(*sa), "b": randn(*sb)},
              lambda t: [torch.matmul(t["a"], t["b"])], ["a", "b"])
    return f
