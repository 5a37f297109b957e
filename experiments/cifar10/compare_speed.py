#!/usr/bin/env python3
"""The CIFAR-10 LeNet only: IMDAD's training step and forward pass against the PyTorch reference,
side by side in one run (a short version of experiments/speed/compare_speed.py, which times every
encoder of the peer's bench_speed.py).

Alternates `imdad bench engine --json --only CIFAR` and the peer's `bench_arch` on its CIFAR-10
LeNet (batch 128, 8 labeled anomalies, IMD-AD objective, Adam) for --rounds rounds, and prints the
medians over the rounds and their ratios (PyTorch time / IMDAD time: > 1 means IMDAD is faster),
with the CPU model, the threads and the load average before and after.

Usage (from the repository root, after `swift build -c release --product imdad`):
    python3 experiments/cifar10/compare_speed.py --python ~/torchenv/bin/python --rounds 3 --threads 2
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

TORCH = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import torch, bench_speed as B
torch.set_num_threads(int(sys.argv[2]))
name, make, shape, iters = next(a for a in B.ARCHS if a[0].startswith('CIFAR-10'))
r = B.bench_arch(name, make, shape, iters, int(sys.argv[3]))
r['torch'] = torch.__version__
r['cpu_capability'] = torch.backends.cpu.get_cpu_capability()
print(json.dumps(r))
"""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
    except OSError:
        return platform.processor() or "unknown"
    model = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), "unknown")
    flags = next((l.split(":", 1)[1].split() for l in info.splitlines() if l.startswith("flags")), [])
    simd = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16") if f in flags]
    return f"{model} ({os.cpu_count()} logical CPUs; {', '.join(simd) or 'no AVX2'})"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--imdad", default=os.path.join(ROOT, ".build", "release", "imdad"))
    p.add_argument("--python", default=os.path.expanduser("~/torchenv/bin/python"))
    p.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "peers"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--trials", type=int, default=3)
    a = p.parse_args()
    load_before = os.getloadavg()
    ours, theirs, meta, tmeta = [], [], None, None
    for r in range(a.rounds):
        print(f"round {r + 1}/{a.rounds}: imdad …", file=sys.stderr, flush=True)
        out = subprocess.run([a.imdad, "bench", "engine", "--json", "--only", "CIFAR", "--threads", str(a.threads),
                              "--trials", str(a.trials)], check=True, capture_output=True, text=True).stdout
        meta = json.loads(out.strip().splitlines()[-1])
        ours.append(next(x for x in meta["results"] if x["arch"].startswith("CIFAR-10")))
        print(f"round {r + 1}/{a.rounds}: pytorch …", file=sys.stderr, flush=True)
        out = subprocess.run([a.python, "-c", TORCH, a.peer, str(a.threads), str(a.trials)],
                             check=True, capture_output=True, text=True).stdout
        tmeta = json.loads(out.strip().splitlines()[-1])
        theirs.append(tmeta)
    load_after = os.getloadavg()
    print(f"CPU: {cpu_model()}")
    print(f"IMDAD: BLAS {meta['blas']}, sgemm 1024³ through the engine {meta['sgemm_1024_gflops']:.1f} GFLOP/s; "
          f"PyTorch {tmeta['torch']} ({tmeta['cpu_capability']}); {a.threads} threads each, {a.rounds} alternating rounds "
          f"of {a.trials} trials, medians; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n")
    print("| CIFAR-10 LeNet, batch 128 | IMDAD median (ms) | PyTorch median (ms) | ratio of medians | IMDAD best round | PyTorch best round "
          "| ratio of best rounds | IMDAD per round (ms) | PyTorch per round (ms) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key, label in (("train_step_ms", "training step"), ("forward_ms", "forward pass")):
        o = statistics.median(x[key] for x in ours)
        t = statistics.median(x[key] for x in theirs)
        ob, tb = min(x[key] for x in ours), min(x[key] for x in theirs)
        print(f"| {label} | {o:.1f} | {t:.1f} | {t / o:.2f}× | {ob:.1f} | {tb:.1f} | {tb / ob:.2f}× "
              f"| {', '.join(f'{x[key]:.1f}' for x in ours)} | {', '.join(f'{x[key]:.1f}' for x in theirs)} |")
    print("\nRatios: PyTorch time / IMDAD time (> 1: IMDAD faster). On a shared machine the best round is the "
          "least disturbed estimate of each; the medians carry the other jobs' load.")


if __name__ == "__main__":
    main()
