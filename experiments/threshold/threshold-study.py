#!/usr/bin/env python3
"""The model's own threshold on ODDS: per method and data set, the mean over seeds of AUROC, F1 and
the share of test normals flagged, from the runs logs in experiments/threshold (written by
`imdad evaluate --runs-log`, which records `f1` and `normals_flagged` at the threshold: IMD-AD
s > 0, the baselines their contamination quantile). Usage: threshold-study.py [dir]
(`threshold-study.py experiments/odds`: the ODDS benchmark at today's defaults)."""
import glob, json, os, statistics as st, sys

folder = sys.argv[1] if len(sys.argv) > 1 else "experiments/threshold"
sets = ["arrhythmia", "cardio", "satellite", "satimage-2", "shuttle", "thyroid"]
print("| runs | method | value | " + " | ".join(sets) + " | mean |")
print("|---|---|---|" + "---|" * (len(sets) + 1))
for path in sorted(glob.glob(os.path.join(folder, "runs*.jsonl"))):
    runs = [json.loads(line) for line in open(path)]
    name = os.path.basename(path)[len("runs"):-len(".jsonl")].lstrip("-") or "defaults"
    for method in sorted({r["method"] for r in runs}):
        for key in ["auroc", "f1", "normals_flagged"]:
            v = [100 * st.mean(r[key] for r in runs if r["method"] == method and r["dataset"] == d) for d in sets]
            print(f"| {name} | {method} | {key} | " + " | ".join(f"{x:.2f}" for x in v) + f" | {st.mean(v):.2f} |")
