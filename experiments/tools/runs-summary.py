#!/usr/bin/env python3
"""Summaries of an `imdad evaluate --runs-log` file (one JSON line per method × data set × seed).

  runs-summary.py RUNS                      per method: mean over the data sets of the mean AUROC
                                            over seeds, on how many sets it is at least Deep SAD (balanced),
                                            and the mean training seconds per run (`train_seconds`)
  runs-summary.py RUNS --paired imdad       per data set: mean ± standard error over seeds of
                                            AUROC(imdad) − AUROC(Deep SAD balanced), and the seeds ahead
  runs-summary.py RUNS --against OLD        how many runs of the methods other than imdad differ
                                            from OLD (same method, data set, seed), and by how much at most
                                            (--method M: of method M only, imdad included)
  runs-summary.py RUNS --loss               per method and data set: Spearman correlation of the final
                                            training loss (`final_loss`) with the test AUROC, and the mean
                                            AUROC when the lowest-loss run of each three seeds is kept
  --seeds A-B                               only seeds A..B (inclusive)
AUROC in %. Reference method: --reference (default deepsad-balanced), read from RUNS or from
--reference-runs FILE. RUNS and --reference-runs may name several files (other seeds, say); their
runs are pooled."""
import argparse, json, math, statistics as st

p = argparse.ArgumentParser()
p.add_argument("runs", nargs="+")
p.add_argument("--reference", default="deepsad-balanced")
p.add_argument("--paired")
p.add_argument("--against")
p.add_argument("--method")
p.add_argument("--loss", action="store_true")
p.add_argument("--seeds")
p.add_argument("--reference-runs", nargs="+")
a = p.parse_args()
lo, hi = map(int, a.seeds.split("-")) if a.seeds else (0, 1 << 30)

def records(paths):
    return [r for path in paths for r in map(json.loads, filter(str.strip, open(path))) if lo <= r["seed"] <= hi]

def load(paths):
    return {(r["method"], r["dataset"], r["seed"]): 100 * r["auroc"] for r in records(paths)}

runs = load(a.runs)
reference_method = a.reference
if a.reference_runs:
    name = a.reference if a.paired != a.reference else f"{a.reference} of --reference-runs"  # a variant against another
    runs.update({(name, d, s): v for (m, d, s), v in load(a.reference_runs).items() if m == a.reference})
    a.reference = name
methods = sorted({m for m, _, _ in runs})
sets = sorted({d for _, d, _ in runs})
def mean(m, d):
    v = [x for (mm, dd, _), x in runs.items() if mm == m and dd == d]
    return st.mean(v) if v else None

def ranks(x):
    order = sorted(range(len(x)), key=lambda i: x[i])
    r = [0] * len(x)
    for k, i in enumerate(order): r[i] = k
    return r

if a.loss:
    print("| method | data set | seeds | Spearman(final loss, AUROC) | mean AUROC | lowest loss of each 3 seeds |\n|---|---|---|---|---|---|")
    groups = {}
    for r in records(a.runs):
        if "final_loss" in r: groups.setdefault((r["method"], r["dataset"]), []).append(r)
    for (m, d), v in sorted(groups.items()):
        v.sort(key=lambda r: r["seed"])
        x, y = ranks([r["final_loss"] for r in v]), ranks([r["auroc"] for r in v])
        mx, my = st.mean(x), st.mean(y)
        rho = sum((p - mx) * (q - my) for p, q in zip(x, y)) / math.sqrt(sum((p - mx) ** 2 for p in x) * sum((q - my) ** 2 for q in y))
        kept = [min(v[i:i + 3], key=lambda r: r["final_loss"]) for i in range(0, len(v) - 2, 3)]
        print(f"| {m} | {d} | {len(v)} | {rho:+.2f} | {100 * st.mean(r['auroc'] for r in v):.3f} | {100 * st.mean(r['auroc'] for r in kept):.3f} |")
elif a.against:
    old = load([a.against])
    common = [k for k in runs if (k[0] == a.method if a.method else k[0] != "imdad") and k in old]
    diff = [abs(runs[k] - old[k]) for k in common if runs[k] != old[k]]
    print(f"{len(diff)} of {len(common)} runs differ; largest |ΔAUROC| {max(diff, default=0) / 100:.2g}")
elif a.paired:
    print(f"| data set | {a.paired} − {a.reference} (mean ± s.e.) | seeds ahead |\n|---|---|---|")
    for d in sets:
        seeds = sorted(s for m, dd, s in runs if m == a.paired and dd == d and (a.reference, d, s) in runs)
        x = [runs[(a.paired, d, s)] - runs[(a.reference, d, s)] for s in seeds]
        if not x:
            print(f"| {d} | no seeds with both {a.paired} and {a.reference} | — |"); continue
        se = st.stdev(x) / math.sqrt(len(x)) if len(x) > 1 else float("nan")
        print(f"| {d} | {st.mean(x):+.3f} ± {se:.3f} | {sum(v > 0 for v in x)} of {len(x)} |")
    both = lambda s: all((m, d, s) in runs for m in (a.paired, a.reference) for d in sets)
    seeds = sorted({s for _, _, s in runs if both(s)})
    if len(sets) > 1 and len(seeds) > 1:  # the paired difference of the mean over the sets, per seed
        x = [st.mean(runs[(a.paired, d, s)] - runs[(a.reference, d, s)] for d in sets) for s in seeds]
        print(f"| mean of the {len(sets)} | {st.mean(x):+.3f} ± {st.stdev(x) / math.sqrt(len(x)):.3f} | {sum(v > 0 for v in x)} of {len(x)} |")
else:
    seconds = {}  # of the runs counted above: RUNS, and the reference method's runs from --reference-runs
    for r in records(a.runs):
        seconds.setdefault(r["method"], []).append(r["train_seconds"])
    if a.reference_runs:
        seconds[a.reference] = [r["train_seconds"] for r in records(a.reference_runs) if r["method"] == reference_method]
    print(f"| method | mean AUROC over {len(sets)} sets | sets ≥ {a.reference} | training s per run |\n|---|---|---|---|")
    for m in methods:
        v = [mean(m, d) for d in sets]
        refs = [mean(a.reference, d) for d in sets]
        ahead = sum(x >= r for x, r in zip(v, refs)) if None not in refs else "—"
        s = seconds.get(m)
        print(f"| {m} | {st.mean(v):.2f} | {ahead} | {f'{st.mean(s):.2f}' if s else '—'} |")
