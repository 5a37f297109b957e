#!/usr/bin/env python3
"""Summarizes scripts/objective-study.sh: per variant, mean AUROC per ODDS set over the seeds (those of the reference),
the mean of the six, and on how many sets it is at least Deep SAD (balanced) of
results/odds/runs.jsonl (same seeds, same splits), or of the Deep SAD (balanced) runs in
--reference FILE (another machine's or other seeds' runs). Usage:
objective-study.py [dir] [--markdown] [--reference FILE]"""
import glob, json, os, statistics as st, sys

argv = sys.argv[1:]
reference = "results/odds/runs.jsonl"
if "--reference" in argv:
    i = argv.index("--reference")
    reference = argv[i + 1]
    del argv[i:i + 2]
args = [a for a in argv if not a.startswith("--")]
folder = args[0] if args else "results/ablation/10-seeds"
sets = ["arrhythmia", "cardio", "satellite", "satimage-2", "shuttle", "thyroid"]

def load(path, method):
    runs = {}
    for line in open(path):
        r = json.loads(line)
        if method is None or r["method"] == method:
            runs.setdefault(r["dataset"], []).append(100 * r["auroc"])
    return runs

ref = load(reference, "deepsad-balanced")
ref_mean = {d: st.mean(ref[d]) for d in sets}
rows = [("Deep SAD (balanced)", ref_mean, None)]
for path in sorted(glob.glob(os.path.join(folder, "runs-*.jsonl"))):
    name = os.path.basename(path)[len("runs-"):-len(".jsonl")]
    runs = load(path, None)  # one method per file (IMD-AD variants; Deep SAD with pretraining)
    if any(len(runs.get(d, [])) not in (0, len(ref[d])) for d in sets) or not any(runs.get(d) for d in sets):
        continue  # a variant still running, or another file
    m = {d: st.mean(runs[d]) for d in sets if runs.get(d)}   # screens run some sets only
    rows.append((name, m, sum(m[d] >= ref_mean[d] for d in m)))
mean = lambda m: st.mean(m.values()) if len(m) == len(sets) else None
rows[1:] = sorted(rows[1:], key=lambda r: (-len(r[1]), -(mean(r[1]) or 0), r[0]))
print("| variant | " + " | ".join(sets) + " | mean | sets ≥ Deep SAD |")
print("|---|" + "---|" * (len(sets) + 2))
for name, m, wins in rows:
    print(f"| {name} | " + " | ".join(f"{m[d]:.2f}" if d in m else "—" for d in sets)
          + f" | {'—' if mean(m) is None else f'{mean(m):.2f}'} | {'—' if wins is None else wins} |")
