"""What every op generator shares: the case builder (`OpFile`), tensor encoding, naming helpers, the file writer."""

import json

import numpy as np
import torch

FORMAT = "cnn-conformance/1"
TOL = {"rtol": 1e-4, "atol": 1e-5}
TOL_BN_TRAIN = {"rtol": 1e-3, "atol": 1e-4}
TOL_EXACT = {"rtol": 0.0, "atol": 0.0}
MAX_ELEMS = 2000


class Invalid(Exception):
    """A sampled configuration that torch rejects or that gives non-finite values."""


# --------------------------------------------------------------------------------------------
# tensors, cases


def t_json(t):
    """A tensor as the format stores it: float tensors rounded to float32; int32 tensors exactly, tagged with their dtype."""
    if t.dtype in (torch.int32, torch.int64):
        a = t.detach().cpu().numpy()
        assert a.size == 0 or (a.min() >= -2 ** 31 and a.max() < 2 ** 31), "int32 tensor out of range"
        return {"shape": [int(s) for s in a.shape], "dtype": "int32", "data": [int(v) for v in a.reshape(-1)]}
    a = t.detach().cpu().numpy().astype(np.float32)
    return {"shape": [int(s) for s in a.shape], "data": a.reshape(-1).astype(np.float64).tolist()}


def randn(*shape, scale=1.0):
    t = torch.randn(*shape, dtype=torch.float32)
    if scale != 1.0:
        t = (t * scale).float()
    return t


def _float64(t):
    return t.double().clone() if t.is_floating_point() else t.clone()


class OpFile:
    def __init__(self, op):
        self.op = op
        self.cases = []
        self.names = set()

    def add(self, desc, attrs, inputs, fn, grad_names, tol=TOL):
        """inputs: dict name -> float32 (or int32) tensor (ordered). fn(dict of float64 tensors) -> list of outputs.

        Float inputs reach `fn` as float64, int32 inputs unchanged. Returns True once the case is added; raises
        Invalid if torch rejects it or it is degenerate."""
        for k, v in inputs.items():
            if v.numel() > MAX_ELEMS * 2:
                raise AssertionError("tensor too large: %s %s %s" % (self.op, k, tuple(v.shape)))
        dbl = {}
        for k, v in inputs.items():
            d = _float64(v)
            if k in grad_names:
                d.requires_grad_(True)
            dbl[k] = d
        # keep the RNG stream independent of torch's internal behaviour: draw nothing inside fn.
        try:
            outs = fn(dbl)
        except (RuntimeError, ValueError) as e:  # invalid configuration
            raise Invalid(str(e))
        outs = [o for o in outs]
        for o in outs:
            if o.is_floating_point() and not torch.isfinite(o).all():
                raise Invalid("non-finite output")
            if o.numel() == 0:
                raise Invalid("empty output")
            if o.numel() > MAX_ELEMS * 2:
                raise Invalid("output too large")
        case = {
            "name": None,
            "op": self.op,
            "attrs": attrs,
            "inputs": {k: t_json(v) for k, v in inputs.items()},
            "outputs": [t_json(o) for o in outs],
            "tolerance": dict(tol),
        }
        if grad_names:
            go = torch.randn(tuple(outs[0].shape), dtype=torch.float32)
            loss = (outs[0] * go.double()).sum()
            gs = torch.autograd.grad(loss, [dbl[k] for k in grad_names], allow_unused=True)
            grads = {}
            for k, g in zip(grad_names, gs):
                if g is None:
                    g = torch.zeros_like(dbl[k])
                if not torch.isfinite(g).all():
                    raise Invalid("non-finite grad")
                grads[k] = t_json(g)
            case["gradOutputs"] = [t_json(go)]
            case["grads"] = grads
        name = "%s/%s/%d" % (self.op, desc, len(self.cases))
        assert name not in self.names, name
        self.names.add(name)
        case["name"] = name
        self.cases.append(case)
        return True


def tolerant(case):
    """Wraps a case builder for sampled configurations: an Invalid one returns False and leaves torch's RNG as it was,
    so a rejected sample does not shift the inputs of the cases after it."""

    def attempt(*a, **kw):
        state = torch.get_rng_state()
        try:
            return case(*a, **kw)
        except Invalid:
            torch.set_rng_state(state)
            return False

    return attempt


# --------------------------------------------------------------------------------------------
# naming helpers


def fp(v):
    """pair / int -> '2' or '2x1'."""
    if isinstance(v, (list, tuple)):
        if len(set(v)) == 1:
            return str(v[0])
        return "x".join(str(x) for x in v)
    return str(v)


def ff(x):
    return ("%g" % x).replace("-", "m")


def shape_s(shape):
    return "x".join(str(s) for s in shape)


def dim_s(dim):
    """A dimension (or list of them) for a case name: -1 -> 'm1', [0, -1] -> '0_m1'."""
    if isinstance(dim, (list, tuple)):
        return "_".join(dim_s(d) for d in dim)
    return ("m%d" % -dim) if dim < 0 else str(dim)


# --------------------------------------------------------------------------------------------
# output


def write_file(path, header, cases):
    parts = [json.dumps(c, allow_nan=False) for c in cases]
    with open(path, "w") as fh:
        fh.write('{"format": %s, "generator": %s, "cases": [\n' % (json.dumps(header["format"]), json.dumps(header["generator"])))
        fh.write(",\n".join(parts))
        fh.write("\n]}\n")
