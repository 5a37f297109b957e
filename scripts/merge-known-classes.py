#!/usr/bin/env python3
"""MNIST at γ_l = 0.05 (30 epochs) over every known anomaly class, as the Deep SAD paper averages:
gathers the runs of IMD-AD (ν 0.7, κ 10: the normal + 1 grid and the other known classes) and of
Deep SAD (uniform, the other-known sweeps, which rerun the normal + 1 splits too) into
results/images/runs-all-known.jsonl. Summary: imdad images --summary --results results/images/runs-all-known.jsonl"""
import json

base = "results/images/"
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
