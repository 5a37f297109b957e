#!/usr/bin/env python3
"""Side-by-side table: imdad's DevNet (runs log of `imdad evaluate --runs-log`) against DeepOD's DevNet
(deepod_devnet.py's JSON lines) on the same splits. AUROC and AP in %, mean ± std over seeds, the
paired difference (ours − DeepOD) with its standard error, and mean training seconds per run.

Usage: compare.py OURS.jsonl DEEPOD.jsonl [--setting clean] [--extra METHOD ...]
"""
import argparse
import json
import math
from collections import defaultdict

ORDER = ["arrhythmia", "cardio", "satellite", "satimage-2", "shuttle", "thyroid"]


def read(path, setting, method):
    runs = {}
    for line in open(path):
        r = json.loads(line)
        if r.get("setting", "clean") != setting or r["method"] != method:
            continue
        runs[(r["dataset"], r["seed"])] = r
    return runs


def ms(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return m, sd


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ours")
    p.add_argument("deepod")
    p.add_argument("--setting", default="clean")
    a = p.parse_args()
    ours, theirs = read(a.ours, a.setting, "devnet"), read(a.deepod, a.setting, "devnet")
    keys = sorted(set(ours) & set(theirs), key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 99, k[0], k[1]))
    sets = []
    for k in keys:
        if k[0] not in sets:
            sets.append(k[0])
    print("| data set | seeds | AUROC imdad | AUROC DeepOD | Δ AUROC ± SE | AP imdad | AP DeepOD | Δ AP ± SE "
          "| s/run imdad | s/run DeepOD |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    means = defaultdict(list)
    for name in sets:
        ks = [k for k in keys if k[0] == name]
        row = [name, str(len(ks))]
        for metric in ["auroc", "ap"]:
            o = [100 * ours[k][metric] for k in ks]
            t = [100 * theirs[k][metric] for k in ks]
            d = [x - y for x, y in zip(o, t)]
            dm, dsd = ms(d)
            row += [f"{ms(o)[0]:.1f} ± {ms(o)[1]:.1f}", f"{ms(t)[0]:.1f} ± {ms(t)[1]:.1f}",
                    f"{dm:+.1f} ± {dsd / math.sqrt(len(d)):.1f}"]
            means[metric + "o"].append(ms(o)[0]); means[metric + "t"].append(ms(t)[0]); means[metric + "d"] += d
        so = ms([ours[k]["train_seconds"] for k in ks])[0]
        st = ms([theirs[k]["train_seconds"] for k in ks])[0]
        means["so"].append(so); means["st"].append(st)
        row += [f"{so:.1f}", f"{st:.1f}"]
        print("| " + " | ".join(row) + " |")
    if sets:
        def avg(xs): return sum(xs) / len(xs)
        row = ["**mean**", str(len(keys))]
        for metric in ["auroc", "ap"]:
            d = means[metric + "d"]
            # Per-set means of the paired differences, averaged; SE from the per-run differences.
            row += [f"{avg(means[metric + 'o']):.1f}", f"{avg(means[metric + 't']):.1f}",
                    f"{avg(d):+.1f} ± {ms(d)[1] / math.sqrt(len(d)):.1f}"]
        row += [f"{avg(means['so']):.1f}", f"{avg(means['st']):.1f}"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
