#!/usr/bin/env python3
"""Issue 28: the candidates against Deep SAD (balanced), DevNet and Isolation Forest, per setting.

    python3 experiments/method/compare.py [RUNS_DIR] [--seeds A-B] [--per-set] [--reference deepsad-balanced]
                                          [--variants imdad,solve,deepsad-balanced]

RUNS_DIR (default experiments/method/runs) holds <part>-<setting>.jsonl from select.sh. A variant is
a method of a part: `imdad` (the defaults), `solve`, `ensemble`, `deepsad-ensemble`, and the
baselines' `deepsad-balanced`, `devnet`, `iforest`. For each setting and variant: the mean over the
data sets of the mean AUROC and AP over the splits, training seconds per run, and the paired
difference against the reference: for each split, the mean over the sets of (variant − reference);
its mean ± standard error over the splits, and on how many sets the variant's mean is ahead.
Only the sets whose every split every variant shown has are used, so partial files compare fairly.
"""
import argparse, collections, json, math, os, statistics as st

p = argparse.ArgumentParser()
p.add_argument("runs", nargs="?", default=os.path.join(os.path.dirname(__file__), "runs"))
p.add_argument("--seeds")
p.add_argument("--per-set", action="store_true")
p.add_argument("--reference", default="deepsad-balanced")
p.add_argument("--variants", help="comma-separated variants to show (default: every one with runs)")
a = p.parse_args()
lo, hi = map(int, a.seeds.split("-")) if a.seeds else (0, 1 << 30)

runs = collections.defaultdict(dict)  # (setting, variant) -> {(set, seed): record}
for name in sorted(os.listdir(a.runs)):
    if not name.endswith(".jsonl"):
        continue
    part, setting = name[:-6].rsplit("-", 1)
    for line in open(os.path.join(a.runs, name)):
        if not line.strip():
            continue
        r = json.loads(line)
        if not lo <= r["seed"] <= hi:
            continue
        variant = r["method"] if part == "baselines" else part
        runs[(setting, variant)][(r["dataset"], r["seed"])] = r

order = ["imdad", "solve", "ensemble", "deepsad-balanced", "deepsad-ensemble", "devnet", "iforest"]
if a.variants:
    order = [v for v in order if v in a.variants.split(",")]
for setting in ["clean", "contaminated"]:
    variants = [v for v in order if (setting, v) in runs]
    if a.reference not in variants:
        continue
    keys = set.intersection(*(set(runs[(setting, v)]) for v in variants))
    sets = sorted({k[0] for k in keys})
    seeds = sorted({k[1] for k in keys})
    # A set counts only when every variant has every split of it (a part stopped mid-set would
    # otherwise leave splits with fewer sets, and the per-split means would not compare).
    sets = [s for s in sets if all((s, k) in runs[(setting, v)] for k in seeds for v in variants)]
    keys = {(s, k) for s in sets for k in seeds}
    print(f"\n### {setting}: {len(sets)} sets, splits {seeds[0]}–{seeds[-1]} ({len(keys)} set × split pairs)\n" if keys else "")
    if not keys:
        continue
    print("| variant | mean AUROC | mean AP | Δ AUROC vs " + a.reference + " (± s.e. over splits) | Δ AP (± s.e.) | sets ahead (AUROC / AP) | s per run |")
    print("|---|---|---|---|---|---|---|")

    def per_set(v, metric):
        out = {}
        for s in sets:
            vals = [runs[(setting, v)][(s, k)][metric] * 100 for k in seeds if (s, k) in keys]
            out[s] = st.mean(vals)
        return out

    ref = {m: per_set(a.reference, m) for m in ["auroc", "ap"]}
    for v in variants:
        means = {m: per_set(v, m) for m in ["auroc", "ap"]}
        cells = []
        for m in ["auroc", "ap"]:
            diffs = []
            for k in seeds:
                d = [(runs[(setting, v)][(s, k)][m] - runs[(setting, a.reference)][(s, k)][m]) * 100 for s in sets if (s, k) in keys]
                if len(d) == len(sets):
                    diffs.append(st.mean(d))
            se = st.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else float("nan")
            cells.append(f"{st.mean(diffs):+.2f} ± {se:.2f}" if diffs else "—")
        ahead = [sum(means[m][s] >= ref[m][s] for s in sets) for m in ["auroc", "ap"]]
        secs = st.mean(r["train_seconds"] for (s, k), r in runs[(setting, v)].items() if (s, k) in keys)
        print(f"| {v} | {st.mean(means['auroc'].values()):.2f} | {st.mean(means['ap'].values()):.2f} | {cells[0]} | {cells[1]} "
              f"| {ahead[0]} / {ahead[1]} | {secs:.2f} |")
    if a.per_set:
        print("\nAUROC / AP per set (mean over the splits):\n")
        print("| set | " + " | ".join(variants) + " |")
        print("|---|" + "---|" * len(variants))
        tables = {v: (per_set(v, "auroc"), per_set(v, "ap")) for v in variants}
        for s in sets:
            print(f"| {s} | " + " | ".join(f"{tables[v][0][s]:.1f} / {tables[v][1][s]:.1f}" for v in variants) + " |")
