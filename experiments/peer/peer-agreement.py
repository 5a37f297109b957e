#!/usr/bin/env python3
"""Do our methods agree with the PyTorch reference (../shared/peers/) within noise?

  peer-agreement.py --ours experiments/odds/runs.jsonl \
      --ours experiments/peer/ours-imdad-nu0.1-kappa1.jsonl@imdad-nu0.1-kappa1 --peer experiments/peer/runs.jsonl
  peer-agreement.py --paired --ours experiments/peer/ours-on-peer-splits.jsonl --peer experiments/peer/runs.jsonl

Per method and data set: our mean AUROC over seeds, the peer's, and the difference ours − peer
with its standard error. Unpaired (the default): each implementation splits the data with its own
random generator, so each side is a sample of splits and the standard error is
sqrt(s₁²/n₁ + s₂²/n₂). --paired: our runs are on the peer's own splits (`ours_on_peer_splits.py`),
so the difference is taken seed by seed, over the seeds both have; what is left in it is the
training noise (initialization, batch order) of both. Either way the difference is "within
noise" when |difference| ≤ 2 standard errors. `FILE@LABEL` names the one method of FILE as LABEL
(the peer's runs and ours on its splits carry theirs in the `label` field). AUROC in %."""
import argparse, json, math, statistics as st

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--ours", action="append", required=True)
p.add_argument("--peer", required=True)
p.add_argument("--paired", action="store_true")
a = p.parse_args()

def runs(path, label_of):
    out = {}
    for r in map(json.loads, filter(str.strip, open(path))):
        out.setdefault((label_of(r), r["dataset"]), {})[r["seed"]] = 100 * r["auroc"]
    return out

ours = {}
for spec in a.ours:
    path, _, label = spec.partition("@")
    ours.update(runs(path, lambda r: label or r.get("label") or r["method"]))
peer = runs(a.peer, lambda r: r["label"])

print("| method | data set | ours (n) | peer (n) | ours − peer ± s.e. | within 2 s.e. |\n|---|---|---|---|---|---|")
within = total = 0
summary = {}  # method → [(difference, standard error, per-seed differences or None)] over its data sets
for m, d in sorted(k for k in peer if k in ours):
    x, y = ours[(m, d)], peer[(m, d)]
    seeds = sorted(x.keys() & y.keys()) if a.paired else None
    x, y = ([v[s] for s in seeds] if a.paired else list(v.values()) for v in (x, y))
    if len(x) < 2 or len(y) < 2:
        continue
    if a.paired:
        diffs = [u - v for u, v in zip(x, y)]
        diff, se = st.mean(diffs), st.stdev(diffs) / math.sqrt(len(diffs))
    else:
        diff, se = st.mean(x) - st.mean(y), math.sqrt(st.variance(x) / len(x) + st.variance(y) / len(y))
    summary.setdefault(m, []).append((diff, se, dict(zip(seeds, diffs)) if a.paired else None))
    ok = abs(diff) <= 2 * se
    within += ok; total += 1
    print(f"| {m} | {d} | {st.mean(x):.2f} ± {st.stdev(x):.2f} ({len(x)}) | {st.mean(y):.2f} ± {st.stdev(y):.2f} ({len(y)}) "
          f"| {diff:+.2f} ± {se:.2f} | {'yes' if ok else '**no**'} |")
print(f"\n{within} of {total} method × data set pairs within 2 standard errors.\n")
# The mean over a method's data sets: paired, the mean over seeds of each seed's mean difference
# (seeds present in every set); unpaired, the mean of the differences with sqrt(Σ s.e.²)/k.
print("| method | data sets | mean of the differences ± s.e. | sets with ours higher |\n|---|---|---|---|")
for m, rows in summary.items():
    if a.paired:
        common = set.intersection(*(set(r[2]) for r in rows))
        per_seed = [st.mean(r[2][s] for r in rows) for s in sorted(common)]
        diff, se = st.mean(per_seed), st.stdev(per_seed) / math.sqrt(len(per_seed)) if len(per_seed) > 1 else float("nan")
    else:
        diff, se = st.mean(r[0] for r in rows), math.sqrt(sum(r[1] ** 2 for r in rows)) / len(rows)
    print(f"| {m} | {len(rows)} | {diff:+.2f} ± {se:.2f} | {sum(r[0] > 0 for r in rows)} of {len(rows)} |")
