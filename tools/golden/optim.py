#!/usr/bin/python3
"""Generate the optimizer / LR-scheduler oracle `packages/core/test/fixtures/optim.json` with PyTorch.

A fixed set of float32 parameters is updated by torch.optim optimizers with a fixed sequence of five float32
gradients; all arithmetic is float64 (the parameters, gradients and state are float64 tensors holding the float32
values). The parameters after every step are rounded to float32 and written, together with the initial parameters
and the gradients, so `packages/core/test/optim.test.ts` can replay the same gradients through cnn's optimizers.
Schedulers: the learning rate of each epoch 0..6 (initial value, then after each of 6 `scheduler.step()` calls).

Run with Debian's interpreter (python3-torch): /usr/bin/python3 tools/golden/optim.py [--out FILE]
See tools/golden/README.md.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

FORMAT = "cnn-optim/1"
TOL = {"rtol": 1e-4, "atol": 1e-5}
NUM_STEPS = 5
NUM_EPOCHS = 6

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "packages", "core", "test", "fixtures", "optim.json")


def f32(values):
    """float32-rounded values as a flat list of Python floats (the float32 value, exactly, as a double)."""
    return np.asarray(values, dtype=np.float64).astype(np.float32).reshape(-1).astype(np.float64).tolist()


# Parameters and gradients: fixed, hand-picked float32 values (a mix of signs, a zero gradient entry, a sign flip
# between steps) so that momentum, bias correction and weight decay all matter.
PARAMS = {
    "weight": ([2, 3], [0.5, -1.25, 2.0, -0.75, 0.1, 1.5]),
    "bias": ([3], [0.3, -0.2, 0.0]),
}


def make_grads():
    gen = torch.Generator().manual_seed(20240611)
    grads = []
    for step in range(NUM_STEPS):
        g = {}
        for name, (shape, _) in PARAMS.items():
            t = torch.randn(shape, generator=gen, dtype=torch.float32)
            g[name] = t
        # a zero entry at step 0 (Adam's update is exactly 0 there) and a large gradient at step 3
        if step == 0:
            g["bias"][2] = 0.0
        if step == 3:
            g["weight"][0, 0] = 4.0
        grads.append({k: f32(v.numpy()) for k, v in g.items()})
    return grads


def fresh_params():
    return {name: torch.tensor(f32(vals), dtype=torch.float64).reshape(shape).requires_grad_(True) for name, (shape, vals) in PARAMS.items()}


OPTIMIZERS = [
    # name, torch.optim class (also cnn's optim class), torch kwargs, cnn options
    ("SGD/plain-lr0.1", "SGD", {"lr": 0.1}, {"lr": 0.1}),
    ("SGD/momentum0.9-lr0.1", "SGD", {"lr": 0.1, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.9}),
    ("SGD/nesterov-momentum0.9-lr0.1", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD/momentum0.9-weightDecay0.01-lr0.1", "SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-2}, {"lr": 0.1, "momentum": 0.9, "weightDecay": 1e-2}),
    ("SGD/momentum0.9-dampening0.1-lr0.1", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}),
    ("Adam/default", "Adam", {}, {}),
    ("Adam/weightDecay0.1", "Adam", {"weight_decay": 0.1}, {"weightDecay": 0.1}),
    ("Adam/betas0.8-0.99-eps1e-6", "Adam", {"betas": (0.8, 0.99), "eps": 1e-6}, {"betas": [0.8, 0.99], "eps": 1e-6}),
    ("AdamW/default", "AdamW", {}, {}),
    ("AdamW/weightDecay0.05", "AdamW", {"weight_decay": 0.05}, {"weightDecay": 0.05}),
    # at lr 1e-3 the default decay (0.01) moves a weight by ~1e-4 in 5 steps, inside the tolerance: lr 0.1 shows it
    ("AdamW/lr0.1-defaultWeightDecay", "AdamW", {"lr": 0.1}, {"lr": 0.1}),
]

SCHEDULERS = [
    # name, torch.optim.lr_scheduler class (also cnn's), torch kwargs, cnn options
    ("StepLR/stepSize2-gamma0.5-lr0.1", "StepLR", {"step_size": 2, "gamma": 0.5}, {"stepSize": 2, "gamma": 0.5}),
    ("CosineAnnealingLR/tMax4-etaMin0.001-lr0.1", "CosineAnnealingLR", {"T_max": 4, "eta_min": 0.001}, {"tMax": 4, "etaMin": 0.001}),
]
SCHEDULER_LR = 0.1


def run_optimizer(cls, kwargs, grads):
    params = fresh_params()
    opt = getattr(torch.optim, cls)(list(params.values()), **kwargs)
    steps = []
    for g in grads:
        opt.zero_grad(set_to_none=True)
        for name, p in params.items():
            p.grad = torch.tensor(g[name], dtype=torch.float64).reshape(p.shape)
        opt.step()
        steps.append({name: f32(p.detach().numpy()) for name, p in params.items()})
    return steps


def run_scheduler(cls, kwargs, grads):
    """Plain SGD (lr 0.1) with the scheduler stepped once per epoch; one optimizer step per epoch, with gradient
    grads[epoch % 5]. Returns the lr of epochs 0..NUM_EPOCHS and the parameters after each epoch."""
    params = fresh_params()
    opt = torch.optim.SGD(list(params.values()), lr=SCHEDULER_LR)
    sched = getattr(torch.optim.lr_scheduler, cls)(opt, **kwargs)
    lrs = [opt.param_groups[0]["lr"]]
    steps = []
    for epoch in range(NUM_EPOCHS):
        g = grads[epoch % len(grads)]
        opt.zero_grad(set_to_none=True)
        for name, p in params.items():
            p.grad = torch.tensor(g[name], dtype=torch.float64).reshape(p.shape)
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        steps.append({name: f32(p.detach().numpy()) for name, p in params.items()})
    return lrs, steps


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output file (default: %(default)s)")
    args = ap.parse_args(argv)
    torch.set_default_dtype(torch.float64)

    grads = make_grads()
    doc = {
        "format": FORMAT,
        "generator": "pytorch %s" % torch.__version__,
        "tolerance": TOL,
        "params": {name: {"shape": shape, "data": f32(vals)} for name, (shape, vals) in PARAMS.items()},
        "grads": grads,
        "optimizers": [],
        "schedulers": [],
    }
    for name, cls, kwargs, opts in OPTIMIZERS:
        doc["optimizers"].append({"name": name, "optimizer": cls, "options": opts, "steps": run_optimizer(cls, kwargs, grads)})
    for name, cls, kwargs, opts in SCHEDULERS:
        lrs, steps = run_scheduler(cls, kwargs, grads)
        doc["schedulers"].append({"name": name, "scheduler": cls, "options": opts, "lr": SCHEDULER_LR, "lrs": lrs, "steps": steps})

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    # one line per gradient / optimizer / scheduler, so a regenerated file diffs readably
    head = {k: v for k, v in doc.items() if k not in ("grads", "optimizers", "schedulers")}
    with open(args.out, "w") as fh:
        fh.write(json.dumps(head, allow_nan=False)[:-1])
        for key in ("grads", "optimizers", "schedulers"):
            fh.write(',\n"%s": [\n' % key)
            fh.write(",\n".join(json.dumps(item, allow_nan=False) for item in doc[key]))
            fh.write("\n]")
        fh.write("}\n")
    print("optim: %d optimizers, %d schedulers  %s" % (len(doc["optimizers"]), len(doc["schedulers"]), os.path.relpath(args.out)))


if __name__ == "__main__":
    sys.exit(main())
