"""Request bodies for the load runs, from the thyroid data: one row (JSON), 1,000 rows (CSV and JSON).

python3 experiments/serve/make-bodies.py ../shared/datasets/adbench/38_thyroid.npz /tmp/serve-bodies
"""
import json, os, sys
import numpy as np

x = np.load(sys.argv[1])["X"]
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
names = [f"x{j}" for j in range(x.shape[1])]
row = lambda r: {n: float(v) for n, v in zip(names, r)}
open(f"{out}/one.json", "w").write(json.dumps({"rows": [row(x[0])]}))
open(f"{out}/rows1000.json", "w").write(json.dumps({"rows": [row(r) for r in x[:1000]]}))
open(f"{out}/rows1000.csv", "w").write(",".join(names) + "\n" + "".join(",".join(repr(float(v)) for v in r) + "\n" for r in x[:1000]))
open(f"{out}/rows1000-noheader.csv", "w").write("".join(",".join(repr(float(v)) for v in r) + "\n" for r in x[:1000]))
