"""Scoring speed, side by side in one run: `imdad score` (file to file), imdad's forward pass alone
(`imdad bench forward`) and ONNX Runtime on the exported graph, same model, same rows, 1 and 2 threads.

    .venv/bin/python experiments/onnx/bench.py --imdad .build/release/imdad [--repeats 5] [--out experiments/onnx/results]

Models: IMD-AD on the thyroid and arrhythmia MLPs (`imdad train`, 5 epochs) and on the MNIST and
CIFAR-10 LeNets (`imdad train` fits tabular MLPs only, so these come from the ONNX equality test,
kept with IMDAD_ONNX_KEEP; run once if missing). Rows: the data set's rows tiled to --rows-* rows,
saved as .npy (float64) and read by all three. Forward pass and ONNX Runtime: batch 4,096, median
of --repeats passes after a warm-up, imdad's on scaled rows (the network alone) and from raw rows
(the stored scaler, then the network, as the ONNX graph does); `imdad score`: wall time of the whole command (read, scale,
score at its own batch of 256, write CSV), best of 2. ONNX Runtime: intra_op_num_threads = threads,
inter_op 1, sequential execution; its graph includes the scaler (imdad's forward pass gets scaled rows).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[2]


def datasets_dir():
    for c in [os.environ.get("IMDAD_DATASETS"), ROOT.parent / "shared/datasets", ROOT / "shared/datasets", "/work/shared/datasets"]:
        if c and Path(c).exists():
            return Path(c)
    sys.exit("datasets not found; set IMDAD_DATASETS")


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{r.stderr}")
    return r.stdout


def prepare(args, work):
    ds = datasets_dir()
    imdad = args.imdad
    models = {}
    for name, path in [("thyroid MLP 6-32-16-4", ds / "adbench/38_thyroid.npz"), ("arrhythmia MLP 274-128-64-32", ds / "odds/arrhythmia.npz")]:
        key = name.split()[0]
        model = work / f"{key}.imdad"
        if not model.exists():
            run([imdad, "train", str(path), "-o", str(model), "--epochs", "5", "--quiet", "--seed", "1"])
        x = np.load(path)["X"].astype(np.float64)
        models[name] = (model, x, args.rows_mlp)
    keep = work / "lenets"
    if not (keep / "mnist-imdad.imdad").exists() or not (keep / "cifar-imdad.imdad").exists():
        env = dict(os.environ, IMDAD_ONNX_KEEP=str(keep))
        print("training the LeNet models through the ONNX equality test (IMDAD_ONNX_KEEP)...", file=sys.stderr)
        subprocess.run(["swift", "build", "--build-tests"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["swift", "test", "--skip-build", "--filter", "ONNXEqualityTests.test(MNIST|CIFAR10)LeNet"], cwd=ROOT,
                       env=env, check=True, capture_output=True)
    for name, key in [("MNIST LeNet", "mnist"), ("CIFAR-10 LeNet", "cifar")]:
        x = np.loadtxt(keep / f"{key}.csv", delimiter=",", skiprows=1, dtype=np.float64)
        models[name] = (keep / f"{key}-imdad.imdad", x, args.rows_image)
    out = {}
    for name, (model, x, rows) in models.items():
        tiled = np.resize(x, (rows, x.shape[1]))
        npy = work / f"{model.stem}-{rows}.npy"
        if not npy.exists():
            np.save(npy, tiled)
        onnx_path = work / f"{model.stem}.onnx"
        run([imdad, "export", str(model), "-o", str(onnx_path), "--force"])
        out[name] = (model, onnx_path, npy, tiled.astype(np.float32))
    return out


def ort_rate(onnx_path, x, threads, batch, repeats):
    o = ort.SessionOptions()
    o.intra_op_num_threads = threads
    o.inter_op_num_threads = 1
    o.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    s = ort.InferenceSession(str(onnx_path), o, providers=["CPUExecutionProvider"])

    def once():
        for i in range(0, len(x), batch):
            s.run(["score"], {"x": x[i:i + batch]})

    once()
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); once(); times.append(time.perf_counter() - t)
    return len(x) / statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--imdad", default=str(ROOT / ".build/release/imdad"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--rows-mlp", type=int, default=131072)
    ap.add_argument("--rows-image", type=int, default=8192)
    ap.add_argument("--work", default=str(ROOT / "experiments/tmp/onnx-bench"))
    ap.add_argument("--out", default=str(ROOT / "experiments/onnx/results"))
    args = ap.parse_args()
    work = Path(args.work); work.mkdir(parents=True, exist_ok=True)
    models = prepare(args, work)
    results = []
    for name, (model, onnx_path, npy, x32) in models.items():
        for threads in (1, 2):
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
            fwd = json.loads(run([args.imdad, "bench", "forward", str(model), str(npy), "--batch", str(args.batch),
                                  "--threads", str(threads), "--repeats", str(args.repeats), "--json"]))
            ours, ours_raw = fwd["rows_per_s"], fwd["rows_per_s_with_scaling"]
            theirs = ort_rate(onnx_path, x32, threads, args.batch, args.repeats)
            score_times = []
            for _ in range(2):
                t = time.perf_counter()
                run([args.imdad, "score", str(model), str(npy), "-o", str(work / "scores.csv"), "--force"], env=env)
                score_times.append(time.perf_counter() - t)
            score_rate = len(x32) / min(score_times)
            r = {"model": name, "rows": len(x32), "threads": threads, "batch": args.batch,
                 "imdad_score_rows_per_s": score_rate, "imdad_forward_rows_per_s": ours, "imdad_forward_from_raw_rows_per_s": ours_raw,
                 "onnxruntime_rows_per_s": theirs, "forward_over_ort": ours / theirs, "forward_from_raw_over_ort": ours_raw / theirs, "score_over_ort": score_rate / theirs}
            results.append(r)
            print(json.dumps(r), file=sys.stderr)
    meta = {"cpu": cpu_model(), "cores": os.cpu_count(), "onnxruntime": ort.__version__,
            "commit": run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).strip(),
            "imdad_info": run([args.imdad, "info"]).splitlines()[:2], "repeats": args.repeats}
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "bench.json").write_text(json.dumps({"machine": meta, "results": results}, indent=1) + "\n")
    lines = [f"CPU: {meta['cpu']} ({meta['cores']} cores), onnxruntime {meta['onnxruntime']}, commit {meta['commit']}", "",
             "| model | threads | rows | imdad score (file→file) | imdad forward (scaled rows) | imdad forward (raw rows) "
             "| ONNX Runtime (raw rows) | forward / ORT | forward raw / ORT | score / ORT |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['model']} | {r['threads']} | {r['rows']:,} | {r['imdad_score_rows_per_s']:,.0f} | "
                     f"{r['imdad_forward_rows_per_s']:,.0f} | {r['imdad_forward_from_raw_rows_per_s']:,.0f} | "
                     f"{r['onnxruntime_rows_per_s']:,.0f} | {r['forward_over_ort']:.2f} | {r['forward_from_raw_over_ort']:.2f} | "
                     f"{r['score_over_ort']:.2f} |")
    table = "\n".join(lines) + "\n"
    (Path(args.out) / "bench.md").write_text(table)
    print(table, end="")

if __name__ == "__main__":
    main()
