#!/usr/bin/env python3
"""Mean AUROC over the normal classes per seed, and over the seeds, for each method and objective of
`imdad images` results files (one data set, epochs and γ_l at a time).

  image-seeds.py FILE... [--dataset mnist] [--epochs 30] [--gamma-l 0.05] [--reference METHOD:OBJECTIVE]

Only seeds with all ten normal classes count. Last column: in how many (class, seed) runs the row is
at least the reference (default: Deep SAD (uniform), `deepsad:`) on the same class and seed."""
import argparse, json, statistics as st

p = argparse.ArgumentParser()
p.add_argument("files", nargs="+")
p.add_argument("--dataset", default="mnist")
p.add_argument("--epochs", type=int, default=30)
p.add_argument("--gamma-l", type=float, default=0.05)
p.add_argument("--reference", default="deepsad:")
a = p.parse_args()

runs = {}
for f in a.files:
    for r in map(json.loads, filter(str.strip, open(f))):
        if r["dataset"] == a.dataset and r["epochs"] == a.epochs and r["gamma_l"] == a.gamma_l and r["known_class"] == (r["normal_class"] + 1) % 10:
            objective = ", ".join(x for x in [r.get("objective"), r.get("pretrain_epochs") and f"AE {r['pretrain_epochs']}"] if x)
            runs[(r["method"], objective, r["seed"], r["normal_class"])] = 100 * r["auroc"]
ref_key = tuple(a.reference.split(":", 1)) if ":" in a.reference else (a.reference, "")
rows = sorted({(m, o) for m, o, _, _ in runs})
seeds = sorted({s for _, _, s, _ in runs})
print(f"{a.dataset}, {a.epochs} epochs, γ_l {a.gamma_l}, known class normal + 1: mean AUROC % over the ten classes\n")
print("| method | objective | " + " | ".join(f"seed {s}" for s in seeds) + f" | mean over seeds | runs ≥ {a.reference} |")
print("|---|---|" + "---|" * len(seeds) + "---|---|")
for m, o in rows:
    per = {s: st.mean(runs[(m, o, s, c)] for c in range(10)) for s in seeds if all((m, o, s, c) in runs for c in range(10))}
    if not per:
        continue   # no seed with all ten classes (e.g. the five-class pretraining runs)
    ref = [(s, c) for s in per for c in range(10) if (*ref_key, s, c) in runs]
    ahead = sum(runs[(m, o, s, c)] >= runs[(*ref_key, s, c)] for s, c in ref)
    cells = [f"{per[s]:.2f}" if s in per else "—" for s in seeds]
    print(f"| {m} | {o or '—'} | " + " | ".join(cells) + f" | {st.mean(per.values()):.2f} ({len(per)} seeds) | {ahead} of {len(ref)} |")
