#!/usr/bin/env python3
"""Summaries of an `imdad evaluate --runs-log` file (one JSON line per method × data set × seed).

  runs-summary.py RUNS                      per method: mean over the data sets of the mean AUROC
                                            over seeds, and on how many sets it is at least Deep SAD (balanced)
  runs-summary.py RUNS --paired imdad       per data set: mean ± standard error over seeds of
                                            AUROC(imdad) − AUROC(Deep SAD balanced), and the seeds ahead
  runs-summary.py RUNS --against OLD        how many runs of the methods other than imdad differ
                                            from OLD (same method, data set, seed), and by how much at most
AUROC in %. Reference method: --reference (default deepsad-balanced)."""
import argparse, json, math, statistics as st

p = argparse.ArgumentParser()
p.add_argument("runs")
p.add_argument("--reference", default="deepsad-balanced")
p.add_argument("--paired")
p.add_argument("--against")
a = p.parse_args()

def load(path):
    return {(r["method"], r["dataset"], r["seed"]): 100 * r["auroc"] for r in map(json.loads, filter(str.strip, open(path)))}

runs = load(a.runs)
methods = sorted({m for m, _, _ in runs})
sets = sorted({d for _, d, _ in runs})
def mean(m, d):
    v = [x for (mm, dd, _), x in runs.items() if mm == m and dd == d]
    return st.mean(v) if v else None

if a.against:
    old = load(a.against)
    common = [k for k in runs if k[0] != "imdad" and k in old]
    diff = [abs(runs[k] - old[k]) for k in common if runs[k] != old[k]]
    print(f"{len(diff)} of {len(common)} runs differ; largest |ΔAUROC| {max(diff, default=0) / 100:.2g}")
elif a.paired:
    print(f"| data set | {a.paired} − {a.reference} (mean ± s.e.) | seeds ahead |\n|---|---|---|")
    for d in sets:
        seeds = sorted(s for m, dd, s in runs if m == a.paired and dd == d and (a.reference, d, s) in runs)
        x = [runs[(a.paired, d, s)] - runs[(a.reference, d, s)] for s in seeds]
        se = st.stdev(x) / math.sqrt(len(x)) if len(x) > 1 else float("nan")
        print(f"| {d} | {st.mean(x):+.3f} ± {se:.3f} | {sum(v > 0 for v in x)} of {len(x)} |")
else:
    print(f"| method | mean AUROC over {len(sets)} sets | sets ≥ {a.reference} |\n|---|---|---|")
    for m in methods:
        v = [mean(m, d) for d in sets]
        ahead = sum(x >= mean(a.reference, d) for x, d in zip(v, sets))
        print(f"| {m} | {st.mean(v):.2f} | {ahead} |")
