#!/usr/bin/env python3
"""DeepOD's DevNet on this project's exact splits (exported by `imdad evaluate --export-splits`).

Runs deepod.models.tabular.DevNet at its defaults (epochs 100, batch 64, lr 1e-3, hidden 100-50,
ReLU, no bias, margin 5, l = 5000) on CPU with one thread, one run per set and seed, and appends one
JSON line per run: dataset, seed, setting, auroc, ap, train_seconds (the fit alone).

Usage: deepod_devnet.py SPLITS_DIR OUT.jsonl --sets thyroid cardio ... --seeds 5 [--setting clean]
Needs its own environment (DeepOD pins torch < 1.13.1): see README.md.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score
from deepod.models.tabular import DevNet


def load(path):
    a = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return a[:, :-1].astype(np.float32), a[:, -1].astype(np.int64)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("splits")
    p.add_argument("out")
    p.add_argument("--sets", nargs="+", required=True)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--setting", default="clean")
    p.add_argument("--fix-broadcast", action="store_true",
                   help="score each row against its own label: DeepOD 0.4.1's DevLoss multiplies labels of shape (B,) "
                        "with scores of shape (B, 1), a (B, B) matrix in which every row gets the batch's mean label")
    a = p.parse_args()
    if a.fix_broadcast:
        from deepod.models.tabular import devnet as module
        original = module.DevLoss.forward
        module.DevLoss.forward = lambda self, y_true, y_pred: original(self, y_true, y_pred.view(-1))
    torch.set_num_threads(1)
    for name in a.sets:
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            stem = os.path.join(a.splits, f"{name}_{a.setting}_seed{seed}")
            x, y = load(stem + "_train.csv")
            xt, yt = load(stem + "_test.csv")
            model = DevNet(device="cpu", random_state=seed, verbose=0)
            start = time.perf_counter()
            model.fit(x, y)
            seconds = time.perf_counter() - start
            s = model.decision_function(xt)
            rec = {"implementation": "deepod-fixed" if a.fix_broadcast else "deepod", "method": "devnet", "dataset": name, "seed": seed, "setting": a.setting,
                   "auroc": float(roc_auc_score(yt, s)), "ap": float(average_precision_score(yt, s)),
                   "train_seconds": seconds, "train_rows": int(len(y)), "labeled_anomalies": int(y.sum()),
                   "torch": torch.__version__}
            with open(a.out, "a") as f:
                f.write(json.dumps(rec, sort_keys=True) + "\n")
            print(f"{name} seed {seed}: AUROC {100 * rec['auroc']:.1f} AP {100 * rec['ap']:.1f} ({seconds:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
