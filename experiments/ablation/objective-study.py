#!/usr/bin/env python3
"""Summarizes experiments/ablation/objective-study.sh: per variant, mean AUROC per ODDS set over the seeds (those of the reference),
the mean of the six, and on how many sets it is at least Deep SAD (balanced) of
experiments/odds/runs.jsonl (same seeds, same splits), or of the Deep SAD (balanced) runs in
--reference FILE (another machine's or other seeds' runs). --seeds A-B keeps seeds A to B only (both
files). Several folders pool the runs files of the same name (seeds 0–29 in one, 30–49 in another);
--reference may be given more than once. Usage:
objective-study.py [dir…] [--markdown] [--reference FILE]… [--seeds A-B]"""
import glob, json, os, statistics as st, sys

argv = sys.argv[1:]
references = []
while "--reference" in argv:
    i = argv.index("--reference")
    references.append(argv[i + 1])
    del argv[i:i + 2]
seeds = None
if "--seeds" in argv:
    i = argv.index("--seeds")
    first, last = map(int, argv[i + 1].split("-"))
    seeds = range(first, last + 1)
    del argv[i:i + 2]
args = [a for a in argv if not a.startswith("--")]
folders = args or ["experiments/ablation/10-seeds"]
sets = ["arrhythmia", "cardio", "satellite", "satimage-2", "shuttle", "thyroid"]

def load(paths, method):
    runs = {}
    lines = [json.loads(line) for path in paths for line in open(path)]
    if method is None and any(r["method"] == "imdad" for r in lines):
        method = "imdad"  # a file that also holds Deep SAD runs run beside the variant
    for r in lines:
        if seeds is not None and r["seed"] not in seeds:
            continue
        if method is None or r["method"] == method:
            runs.setdefault(r["dataset"], []).append(100 * r["auroc"])
    return runs

ref = load(references or ["experiments/odds/runs.jsonl"], "deepsad-balanced")
ref_mean = {d: st.mean(ref[d]) for d in sets}
rows = [("Deep SAD (balanced)", ref_mean, None)]
variants = {}
for folder in folders:
    for path in glob.glob(os.path.join(folder, "runs-*.jsonl")):
        variants.setdefault(os.path.basename(path)[len("runs-"):-len(".jsonl")], []).append(path)
for name, paths in sorted(variants.items()):
    runs = load(paths, None)  # IMD-AD's runs, or the one method of the file (Deep SAD with pretraining)
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
