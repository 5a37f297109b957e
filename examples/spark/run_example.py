"""`make spark-example`: train, export, generate a large table, score it in Spark, check a sample.

1. `imdad train` an IMD-AD model on thyroid (adbench/38_thyroid.npz), `imdad export` it to ONNX.
2. Generate --rows rows (default 10,000,000) as Parquet: id + the six thyroid features (training rows
   drawn at random with 5 % multiplicative noise, stored as float32 so every reader sees the same numbers),
   or take an existing table with --input.
3. Score it with score_onnx.py through spark-submit (--master, default local[*]); print rows per second.
4. Check --sample rows (default 10,000) against `imdad score`: scores to 1e-5 relative to the size of the
   terms of s = ||phi - c||^2 - R^2 (see docs/onnx.md), zones and predictions equal.
"""
import argparse
import csv as csv_module
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def datasets_dir():
    for c in [os.environ.get("IMDAD_DATASETS"), ROOT.parent / "shared/datasets", ROOT / "shared/datasets", "/work/shared/datasets"]:
        if c and Path(c).exists():
            return Path(c)
    sys.exit("datasets not found; set IMDAD_DATASETS")


def run(cmd, **kw):
    print("+ " + " ".join(map(str, cmd)), file=sys.stderr)
    return subprocess.run(list(map(str, cmd)), check=True, **kw)


def generate(path, rows, features, x, seed=0, chunk=1_000_000):
    rng = np.random.default_rng(seed)
    schema = pa.schema([("id", pa.int64())] + [(f, pa.float32()) for f in features])
    with pq.ParquetWriter(path, schema) as w:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            pick = x[rng.integers(0, len(x), n)] * (1 + 0.05 * rng.standard_normal((n, x.shape[1])))
            cols = [pa.array(np.arange(start, start + n, dtype=np.int64))]
            cols += [pa.array(pick[:, j].astype(np.float32)) for j in range(x.shape[1])]
            w.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=min(n, 256 * 1024))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--imdad", default=str(ROOT / ".build/release/imdad"))
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--sample", type=int, default=10_000)
    ap.add_argument("--input", help="an existing Parquet/CSV table with id and the thyroid feature columns")
    ap.add_argument("--master", default="local[*]")
    ap.add_argument("--work", default=str(ROOT / "experiments/tmp/spark"))
    ap.add_argument("--rtol", type=float, default=1e-5)
    a = ap.parse_args()
    work = Path(a.work); work.mkdir(parents=True, exist_ok=True)
    data = datasets_dir() / "adbench/38_thyroid.npz"

    model, onnx_path = work / "thyroid.imdad", work / "thyroid.onnx"
    run([a.imdad, "train", data, "-o", model, "--epochs", "20", "--seed", "1", "--quiet", "--force"])
    run([a.imdad, "export", model, "-o", onnx_path, "--force"])
    meta = {p.key: p.value for p in onnx.load(str(onnx_path)).metadata_props}
    features = json.loads(meta["imdad.feature_names"])

    table = Path(a.input) if a.input else work / f"thyroid-{a.rows}.parquet"
    if not a.input and not table.exists():
        t = time.perf_counter()
        generate(table, a.rows, features, np.load(data)["X"].astype(np.float64))
        print(f"generated {a.rows:,} rows in {time.perf_counter() - t:.1f} s: {table}", file=sys.stderr)

    out = work / "scores.parquet"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    spark_submit = Path(sys.executable).parent / "spark-submit"
    t = time.perf_counter()
    r = run([spark_submit, "--master", a.master, "--driver-memory", "4g", str(HERE / "score_onnx.py"),
             "--model", onnx_path, "--input", table, "--output", out], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    job = json.loads([l for l in r.stdout.splitlines() if l.startswith("{")][-1])

    # The sample: --sample ids spread over the table, scored again by imdad from a CSV of the same float32 values.
    scored = pq.read_table(out).to_pandas()
    n = len(scored)
    ids = np.linspace(0, n - 1, num=min(a.sample, n)).astype(np.int64)
    scored = scored.set_index("id").loc[ids]
    src = pq.read_table(table, filters=[("id", "in", ids.tolist())]).to_pandas().set_index("id").loc[ids]
    csv = work / "sample.csv"
    with open(csv, "w") as f:
        f.write(",".join(features) + "\n")
        for row in src[features].to_numpy(dtype=np.float32):
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    ref_csv = work / "sample-scores.csv"
    run([a.imdad, "score", model, csv, "-o", ref_csv, "--force"])
    with open(ref_csv, newline="") as f:  # imdad score's CSV: its first line is the header
        rows = list(csv_module.DictReader(f))
    ref = np.array([float(r["score"]) for r in rows], dtype=np.float64)
    ref_zone = [r["zone"] for r in rows]
    ref_pred = np.array([int(r["prediction"]) for r in rows])
    s = scored["score"].to_numpy(dtype=np.float64)
    c = np.array(json.loads(meta["imdad.center"])); r2 = float(meta["imdad.radius_squared"])
    rho2 = float(meta["imdad.margin_squared"])
    scale = np.maximum(np.abs(ref), np.abs(ref + r2) + abs(r2) + c @ c)
    diff = np.abs(s - ref)
    tol = a.rtol * scale
    at_boundary = (np.abs(ref) <= tol) | (np.abs(ref - rho2) <= tol)
    zone_bad = sum(1 for i, (p, q) in enumerate(zip(scored["zone"], ref_zone)) if p != q and not at_boundary[i])
    pred_bad = int(((scored["prediction"].to_numpy() != ref_pred) & ~at_boundary).sum())
    plain = diff / np.maximum(np.abs(ref), 1e-30)
    ok = bool((diff <= tol).all()) and zone_bad == 0 and pred_bad == 0
    summary = {"ok": ok, "rows": job["rows"], "master": job["master"], "spark_job_s": round(job["seconds"], 2),
               "rows_per_s": round(job["rows_per_s"]), "spark_submit_wall_s": round(wall, 2),
               "rows_per_s_incl_startup": round(job["rows"] / wall), "sample": len(ids),
               "max_rel_to_terms": float((diff / scale).max()), "max_plain_rel": float(plain.max()),
               "sample_rows_plain_rel_over_rtol": int((plain > a.rtol).sum()), "zones_differ": zone_bad,
               "predictions_differ": pred_bad, "rows_at_a_boundary": int(at_boundary.sum())}
    print(json.dumps(summary))
    print(f"Spark ({job['master']}): {job['rows']:,} rows scored in {job['seconds']:.1f} s = {job['rows_per_s']:,.0f} rows/s; "
          f"{len(ids):,}-row sample {'equals' if ok else 'DIFFERS FROM'} imdad score (max relative difference "
          f"{summary['max_rel_to_terms']:.2e} of the score's terms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
