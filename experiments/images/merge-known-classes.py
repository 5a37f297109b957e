#!/usr/bin/env python3
"""MNIST at γ_l = 0.05 (30 epochs) over every known anomaly class, as the Deep SAD paper averages:
gathers the runs of IMD-AD (ν 0.7, κ 10: the normal + 1 grid and the other known classes) and of
Deep SAD (uniform, the other-known sweeps, which rerun the normal + 1 splits too) into
experiments/images/runs-all-known.jsonl. Summary: imdad images --summary --results experiments/images/runs-all-known.jsonl"""
import json

base = "experiments/images/"
sources = ["runs-nu-0.7-kappa-10.jsonl", "runs-nu-0.7-kappa-10-other-known.jsonl", "runs-other-known-imdad.jsonl",
           "runs-other-known.jsonl", "runs-other-known-deepsad.jsonl"]
out = []
for name in sources:
    for line in open(base + name):
        if not line.strip():
            continue
        r = json.loads(line)
        if r["dataset"] == "mnist" and r["gamma_l"] == 0.05 and r["epochs"] == 30 and "pretrain_epochs" not in r:
            out.append(line.rstrip("\n"))
open(base + "runs-all-known.jsonl", "w").write("\n".join(out) + "\n")
print(f"{len(out)} records from {len(sources)} files")

# The figures of experiments/images/README.md: AUROC % over every (normal, known) pair, and over the
# pairs with known class 0–2 other than normal + 1 (the first part of the sweep).
import math, statistics as st
auroc = {}
for line in out:
    r = json.loads(line)
    auroc[(r["method"], r["normal_class"], r["known_class"])] = 100 * r["auroc"]   # the last record of a key wins
def report(label, pairs):
    im = [auroc[("imdad", n, k)] for n, k in pairs]
    ds = [auroc[("deepsad", n, k)] for n, k in pairs]
    d = [x - y for x, y in zip(im, ds)]
    print(f"{label}: {len(pairs)} runs each, IMD-AD {st.mean(im):.2f}, Deep SAD {st.mean(ds):.2f}, "
          f"IMD-AD ≥ Deep SAD in {sum(x >= y for x, y in zip(im, ds))}, paired {st.mean(d):+.2f} ± {st.stdev(d) / math.sqrt(len(d)):.2f} (s.e.)")
    return im
report("all known classes", [(n, k) for n in range(10) for k in range(10) if n != k])
first = [(n, k) for k in range(3) for n in range(10) if n != k and k != (n + 1) % 10]
im = report("known 0-2, not normal + 1", first)
default = [auroc[("imdad", n, (n + 1) % 10)] for n, _ in first]
print(f"  IMD-AD with known = normal + 1 for the same normal classes: {st.mean(default):.2f}; "
      f"lower with the other known class in {sum(x < y for x, y in zip(im, default))} of {len(first)}")
