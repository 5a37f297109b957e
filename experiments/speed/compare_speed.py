#!/usr/bin/env python3
"""Side-by-side speed of the IMDAD engine and the PyTorch reference, same machine, same run.

Alternates `imdad bench engine --json` and the peer's `bench_speed.py` for --rounds rounds (so
both see the same machine state), takes per-encoder medians over the rounds, and prints the
ratios (PyTorch time / IMDAD time: > 1 means IMDAD is faster).

Usage (from the repository root, after `swift build -c release`):
    python3 experiments/speed/compare_speed.py --python ~/torchenv/bin/python --rounds 3 --threads 2
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # experiments/speed → repository root


def run_imdad(binary, threads, trials):
    out = subprocess.run([binary, "bench", "engine", "--json", "--threads", str(threads), "--trials", str(trials)],
                         check=True, capture_output=True, text=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return {r["arch"]: r for r in data["results"]}, data


def run_torch(python, peer, threads, trials):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    subprocess.run([python, os.path.join(peer, "bench_speed.py"), "--threads", str(threads), "--trials", str(trials),
                    "--skip-gemm", "--out", path], check=True, capture_output=True, text=True)
    with open(path) as f:
        data = json.load(f)
    os.unlink(path)
    return {r["arch"]: r for r in data["nets"]}, data


# PyTorch arch labels -> IMDAD encoder names
MATCH = {
    "MLP 21-32-16-8 (cardio)": "MLP 21-32-16-8",
    "MLP 274-128-64-32 (arrhythmia)": "MLP 274-128-64-32",
    "F-MNIST LeNet (1x28x28, d=64)": "Fashion-MNIST LeNet",
    "MNIST LeNet (1x28x28, d=32)": "MNIST LeNet",
    "CIFAR-10 LeNet (3x32x32, d=128)": "CIFAR-10 LeNet",
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--imdad", default=os.path.join(ROOT, ".build", "release", "imdad"))
    p.add_argument("--python", default=os.path.expanduser("~/torchenv/bin/python"))
    p.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "peers"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--trials", type=int, default=3)
    a = p.parse_args()
    ours, theirs = {}, {}
    meta = None
    for r in range(a.rounds):
        print(f"round {r + 1}/{a.rounds}: imdad …", file=sys.stderr, flush=True)
        o, meta = run_imdad(a.imdad, a.threads, a.trials)
        print(f"round {r + 1}/{a.rounds}: pytorch …", file=sys.stderr, flush=True)
        t, _ = run_torch(a.python, a.peer, a.threads, a.trials)
        for k, v in o.items():
            ours.setdefault(k, []).append(v)
        for k, v in t.items():
            theirs.setdefault(k, []).append(v)
    print(f"BLAS: {meta['blas']}; sgemm 1024³ through the engine: {meta['sgemm_1024_gflops']:.1f} GFLOP/s; "
          f"{a.threads} threads, {a.rounds} alternating rounds, medians\n")
    print("| encoder | IMDAD train step (ms) | PyTorch train step (ms) | train ratio | IMDAD forward (ms) | PyTorch forward (ms) | forward ratio |")
    print("|---|---|---|---|---|---|---|")
    for tname, oname in MATCH.items():
        if tname not in theirs or oname not in ours:
            continue
        ot = statistics.median(x["train_step_ms"] for x in ours[oname])
        tt = statistics.median(x["train_step_ms"] for x in theirs[tname])
        of = statistics.median(x["forward_ms"] for x in ours[oname])
        tf = statistics.median(x["forward_ms"] for x in theirs[tname])
        print(f"| {oname} | {ot:.3f} | {tt:.3f} | {tt / ot:.2f}× | {of:.3f} | {tf:.3f} | {tf / of:.2f}× |")


if __name__ == "__main__":
    main()
