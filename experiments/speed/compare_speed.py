#!/usr/bin/env python3
"""Side-by-side speed of the IMDAD engine and the PyTorch reference, same machine, same run.

Alternates `imdad bench engine --json` and the peer's own benchmark (`bench_speed.bench_arch` over
its networks, as `bench_speed.py` runs it) for --rounds rounds (so both see the same machine state),
takes per-encoder medians over the rounds, and prints the ratios (PyTorch time / IMDAD time: > 1
means IMDAD is faster).

With `--only CIFAR` only the encoders whose name contains that text are timed, on both sides (the
short check of issue 25 before a CIFAR-10 sweep). With `--variants im2col=IMDAD_CONVOLUTION=im2col
onednn=IMDAD_CONVOLUTION=onednn` each round runs the engine once per variant (same binary, one
environment setting each, in turn) before PyTorch, so that two engines are compared as fairly as the
machine allows. The header gives the CPU model, the load average before and after, and, with
`--fma-peak GFLOPS` (experiments/speed/fma_peak.c), the share of that peak each LeNet's training
step reaches.

Usage (from the repository root, after `swift build -c release`):
    python3 experiments/speed/compare_speed.py --python ~/torchenv/bin/python --rounds 3 --threads 2
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # experiments/speed → repository root


def run_imdad(binary, threads, trials, env=None, only=None):
    out = subprocess.run([binary, "bench", "engine", "--json", "--threads", str(threads), "--trials", str(trials)]
                         + (["--only", only] if only else []),
                         check=True, capture_output=True, text=True, env={**os.environ, **(env or {})}).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return {r["arch"]: r for r in data["results"]}, data


# The peer's networks (its bench_speed.ARCHS) whose label contains a text ("" for all), each timed by
# its own bench_arch, as its bench_speed.py does without the GEMM part.
TORCH = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import torch, bench_speed as B
torch.set_num_threads(int(sys.argv[2]))
nets = [B.bench_arch(name, make, shape, iters, int(sys.argv[3])) for name, make, shape, iters in B.ARCHS
        if sys.argv[4].lower() in name.lower()]
print(json.dumps(nets))
"""


def run_torch(python, peer, threads, trials, only=None):
    out = subprocess.run([python, "-c", TORCH, peer, str(threads), str(trials), only or ""],
                         check=True, capture_output=True, text=True).stdout
    return {r["arch"]: r for r in json.loads(out.strip().splitlines()[-1])}


# PyTorch arch labels -> IMDAD encoder names
MATCH = {
    "MLP 21-32-16-8 (cardio)": "MLP 21-32-16-8",
    "MLP 274-128-64-32 (arrhythmia)": "MLP 274-128-64-32",
    "F-MNIST LeNet (1x28x28, d=64)": "Fashion-MNIST LeNet",
    "MNIST LeNet (1x28x28, d=32)": "MNIST LeNet",
    "CIFAR-10 LeNet (3x32x32, d=128)": "CIFAR-10 LeNet",
}

# Multiply-adds ×2 of one training step at batch 128 (forward, ∂x where needed, ∂w), from the
# layer shapes of spec §6: convolutions 5×5 padding 2, the first one without ∂x.
def _conv(c, o, hw):
    return 2 * 128 * o * hw * hw * c * 25


def _lin(i, o):
    return 2 * 128 * i * o


STEP_FLOPS = {
    "MNIST LeNet": 2 * _conv(1, 8, 28) + 3 * _conv(8, 4, 14) + 3 * _lin(196, 32),
    "Fashion-MNIST LeNet": 2 * _conv(1, 16, 28) + 3 * _conv(16, 32, 14) + 3 * (_lin(1568, 128) + _lin(128, 64)),
    "CIFAR-10 LeNet": 2 * _conv(3, 32, 32) + 3 * (_conv(32, 64, 16) + _conv(64, 128, 8)) + 3 * _lin(2048, 128),
}


def save(path, record):
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(record) + "\n")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--imdad", default=os.path.join(ROOT, ".build", "release", "imdad"))
    p.add_argument("--python", default=os.path.expanduser("~/torchenv/bin/python"))
    p.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "peers"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--trials", type=int, default=3)
    p.add_argument("--variants", nargs="*", default=[],
                   help="NAME=VAR=VALUE[,VAR=VALUE]: engine runs per round, each with these environment settings")
    p.add_argument("--fma-peak", type=float, help="measured FMA peak of the threads used, GFLOP/s")
    p.add_argument("--torch-rounds", type=int, help="run PyTorch in the first N rounds only (default: every round)")
    p.add_argument("--only", help="time only the encoders whose name contains this text (e.g. CIFAR)")
    p.add_argument("--raw", help="append every run's results to this JSON-lines file as it finishes")
    a = p.parse_args()
    variants = []
    for v in a.variants or ["imdad="]:
        name, _, assignments = v.partition("=")
        variants.append((name, dict(x.split("=", 1) for x in assignments.split(",") if x)))
    ours = {name: {} for name, _ in variants}
    theirs = {}
    meta = {}
    load_before = loadavg()
    for r in range(a.rounds):
        # The variants' order alternates from round to round, so neither always runs first.
        order = variants if r % 2 == 0 else variants[::-1]
        for name, env in order:
            print(f"round {r + 1}/{a.rounds}: {name} …", file=sys.stderr, flush=True)
            o, meta[name] = run_imdad(a.imdad, a.threads, a.trials, env, a.only)
            save(a.raw, {"round": r + 1, "engine": name, "load": loadavg(), "results": list(o.values())})
            for k, v in o.items():
                ours[name].setdefault(k, []).append(v)
        if a.torch_rounds is not None and r >= a.torch_rounds:
            continue
        print(f"round {r + 1}/{a.rounds}: pytorch …", file=sys.stderr, flush=True)
        t = run_torch(a.python, a.peer, a.threads, a.trials, a.only)
        save(a.raw, {"round": r + 1, "engine": "pytorch", "load": loadavg(), "results": list(t.values())})
        for k, v in t.items():
            theirs.setdefault(k, []).append(v)
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; load average (1, 5, 15 min) {load_before} before, "
          f"{loadavg()} after")
    for name, _ in variants:
        m = meta[name]
        print(f"{name}: BLAS {m['blas']}; convolutions {m.get('convolutions', 'im2col + sgemm')}; "
              f"Winograd {m.get('winograd', 'none')}; sgemm 1024³ {m['sgemm_1024_gflops']:.1f} GFLOP/s")
    print(f"{a.threads} threads, {a.rounds} alternating rounds, medians"
          + (f"; FMA peak {a.fma_peak:.0f} GFLOP/s (% of peak: the direct convolutions' multiply-adds per second "
             "over that peak; Winograd layers do 4 of every 25 of those multiplications plus their transforms, so "
             "the share can pass 100 %)" if a.fma_peak else "") + "\n")
    med = statistics.median
    head = "| encoder | PyTorch train (ms) |"
    for name, _ in variants:
        head += f" {name} train (ms) | ratio |" + (" % of peak |" if a.fma_peak else "")
    head += " PyTorch forward (ms) |"
    for name, _ in variants:
        head += f" {name} forward (ms) | ratio |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for tname, oname in MATCH.items():
        if tname not in theirs or any(oname not in ours[n] for n, _ in variants):
            continue
        tt = med(x["train_step_ms"] for x in theirs[tname])
        tf = med(x["forward_ms"] for x in theirs[tname])
        row = f"| {oname} | {tt:.3f} |"
        for name, _ in variants:
            ot = med(x["train_step_ms"] for x in ours[name][oname])
            row += f" {ot:.3f} | {tt / ot:.2f}× |"
            if a.fma_peak:
                share = STEP_FLOPS[oname] / (ot * 1e-3) / (a.fma_peak * 1e9) * 100 if oname in STEP_FLOPS else None
                row += f" {share:.0f} % |" if share is not None else " – |"
        row += f" {tf:.3f} |"
        for name, _ in variants:
            of = med(x["forward_ms"] for x in ours[name][oname])
            row += f" {of:.3f} | {tf / of:.2f}× |"
        print(row)


if __name__ == "__main__":
    main()
