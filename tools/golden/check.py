#!/usr/bin/python3
"""Sanity-check generated `cnn-conformance/1` fixture files (no torch needed).

Usage: /usr/bin/python3 tools/golden/check.py [DIR]   (default packages/conformance/fixtures)
"""

import glob
import json
import math
import os
import sys

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_DIR = os.path.join(REPO_ROOT, "packages", "conformance", "fixtures")
CASE_KEYS = ["name", "op", "attrs", "inputs", "outputs", "tolerance"]


def prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def check_tensor(where, t, errors):
    """A float32 tensor is {shape, data}; an int32 one adds "dtype": "int32" and holds integers in int32's range."""
    if set(t.keys()) not in ({"shape", "data"}, {"shape", "dtype", "data"}):
        errors.append("%s: tensor keys %s" % (where, sorted(t.keys())))
        return
    if t.get("dtype", "int32") != "int32":
        errors.append("%s: dtype %r (only \"int32\" is written; float32 has no dtype)" % (where, t["dtype"]))
    shape, data = t["shape"], t["data"]
    if not all(isinstance(s, int) and s >= 0 for s in shape):
        errors.append("%s: bad shape %r" % (where, shape))
    if len(data) != prod(shape):
        errors.append("%s: %d values for shape %r" % (where, len(data), shape))
    for v in data:
        if not isinstance(v, (int, float)) or not math.isfinite(v):
            errors.append("%s: non-finite / non-number value %r" % (where, v))
            break
        if "dtype" in t and not (isinstance(v, int) and -2 ** 31 <= v < 2 ** 31):
            errors.append("%s: %r is not an int32" % (where, v))
            break


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR
    files = sorted(glob.glob(os.path.join(d, "*.json")))
    errors = []
    names = set()
    total_cases = 0
    total_bytes = 0
    generators = set()
    for fn in files:
        op_file = os.path.basename(fn)[: -len(".json")]
        with open(fn) as fh:
            obj = json.load(fh)
        total_bytes += os.path.getsize(fn)
        if obj.get("format") != "cnn-conformance/1":
            errors.append("%s: format %r" % (fn, obj.get("format")))
        generators.add(obj.get("generator"))
        cases = obj.get("cases")
        if not cases:
            errors.append("%s: no cases" % fn)
            continue
        for c in cases:
            nm = c.get("name")
            where = "%s:%s" % (os.path.basename(fn), nm)
            for k in CASE_KEYS:
                if k not in c:
                    errors.append("%s: missing %s" % (where, k))
            if nm in names:
                errors.append("%s: duplicate name" % where)
            names.add(nm)
            if c.get("op") != op_file or not str(nm).startswith(op_file + "/"):
                errors.append("%s: op %r does not match file" % (where, c.get("op")))
            tol = c.get("tolerance", {})
            if not (isinstance(tol.get("rtol"), float) and isinstance(tol.get("atol"), float)):
                errors.append("%s: bad tolerance %r" % (where, tol))
            for k, t in c.get("inputs", {}).items():
                check_tensor(where + " inputs." + k, t, errors)
            for i, t in enumerate(c.get("outputs", [])):
                check_tensor(where + " outputs[%d]" % i, t, errors)
            if ("gradOutputs" in c) != ("grads" in c):
                errors.append("%s: gradOutputs/grads must come together" % where)
            if "gradOutputs" in c:
                go = c["gradOutputs"]
                if len(go) != 1:
                    errors.append("%s: %d gradOutputs" % (where, len(go)))
                check_tensor(where + " gradOutputs[0]", go[0], errors)
                if go[0]["shape"] != c["outputs"][0]["shape"]:
                    errors.append("%s: gradOutputs shape %r != outputs[0] %r" % (where, go[0]["shape"], c["outputs"][0]["shape"]))
                for k, t in c["grads"].items():
                    if k not in c["inputs"]:
                        errors.append("%s: grad for unknown input %s" % (where, k))
                        continue
                    if k in ("runningMean", "runningVar") or (k == "target" and c["op"] != "mseLoss") or \
                            "dtype" in c["inputs"][k]:
                        errors.append("%s: grad for non-differentiable input %s" % (where, k))
                    check_tensor(where + " grads." + k, t, errors)
                    if t["shape"] != c["inputs"][k]["shape"]:
                        errors.append("%s: grad shape %r != input shape %r" % (where, t["shape"], c["inputs"][k]["shape"]))
        total_cases += len(cases)
        print("%-18s %4d cases  %8.1f KiB" % (op_file, len(cases), os.path.getsize(fn) / 1024))
    print("%d files, %d cases, %.2f MiB; generator %s" % (len(files), total_cases, total_bytes / 2 ** 20, sorted(generators)))
    if len(generators) != 1:
        errors.append("files disagree on generator: %r" % sorted(generators))
    for e in errors[:50]:
        print("ERROR", e)
    if errors:
        print("%d errors" % len(errors))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
