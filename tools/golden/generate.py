#!/usr/bin/python3
"""Generate `cnn-conformance/1` fixture files with PyTorch as the oracle.

One JSON file per op is written to packages/conformance/fixtures/<op>.json (or --out DIR).
Inputs are random float32 tensors; every op is evaluated in float64 on the float32 inputs and the
outputs / gradients are rounded to float32 before they are written.

grads[name] = d/d inputs[name] of sum(outputs[0] * gradOutputs[0]), gradOutputs[0] ~ randn.

The generators live in the `golden` package beside this script (one module per family of ops).
Run with Debian's interpreter (python3-torch): /usr/bin/python3 tools/golden/generate.py
See tools/golden/README.md.
"""

import argparse
import os
import subprocess
import sys
import warnings
import zlib

import torch

from golden import GENERATORS, self_check
from golden.common import FORMAT, write_file

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "packages", "conformance", "fixtures")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=7, help="base random seed (default: %(default)s)")
    ap.add_argument("--only", nargs="*", help="generate only these ops")
    args = ap.parse_args(argv)
    known = [op for op, _ in GENERATORS]
    unknown = [op for op in args.only or [] if op not in known]
    if unknown:
        ap.error("unknown op(s) %s (known: %s)" % (", ".join(unknown), ", ".join(known)))

    warnings.filterwarnings("ignore", message=".*padding='same' with even kernel.*")
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    self_check()
    os.makedirs(args.out, exist_ok=True)
    generator = "pytorch %s, seed %d" % (torch.__version__, args.seed)
    total = 0
    for op, gen in GENERATORS:
        if args.only and op not in args.only:
            continue
        # each op file has its own stream derived from the base seed, so that adding cases to one op
        # leaves every other file unchanged.
        op_seed = (args.seed * 1000003 + zlib.crc32(op.encode())) % (2 ** 31)
        torch.manual_seed(op_seed)
        f = gen(op_seed)
        path = os.path.join(args.out, op + ".json")
        write_file(path, {"format": FORMAT, "generator": generator}, f.cases)
        total += len(f.cases)
        print("%-18s %4d cases  %8.1f KiB  %s" % (op, len(f.cases), os.path.getsize(path) / 1024, os.path.relpath(path)))
    print("total %d cases" % total)
    if not args.only:
        # The other PyTorch oracles, so that `pnpm golden` regenerates everything: the optimizer / scheduler fixture
        # of packages/core/test (optim.py) and the special-values fixture of the contract (special_values.py).
        for script in ("optim.py", "special_values.py"):
            subprocess.run([sys.executable, os.path.join(HERE, script)], check=True)


if __name__ == "__main__":
    sys.exit(main())
