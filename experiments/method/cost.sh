#!/usr/bin/env bash
# Issue 28, item 6: the ensemble's training cost against a single model, side by side.
#
#   experiments/method/cost.sh [rounds] [out-dir]      (default 2 rounds, experiments/method/cost)
#
# Alternates `imdad evaluate` on the six ODDS sets, seeds 50–52 (outside both the selection and the
# confirmation splits), one thread, with and without `--ensemble 3`, and prints per round the sums
# of the runs' training seconds, the wall time, and their ratios. Binary: $IMDAD (default .build/release/imdad).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}; out=${2:-experiments/method/cost}
B=${IMDAD:-.build/release/imdad}
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  for e in 1 3; do
    rm -f "$out/e$e-r$r.jsonl"
    start=$(date +%s.%N)
    "$B" evaluate --dataset odds --methods imdad --ensemble $e --seeds 3 --first-seed 50 --threads 1 --quiet \
      --runs-log "$out/e$e-r$r.jsonl" > /dev/null
    echo "$(date +%s.%N) - $start" | bc > "$out/e$e-r$r.wall"
  done
  python3 - "$out" "$r" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
out, r, load = sys.argv[1:]
def train(e): return sum(json.loads(l)["train_seconds"] for l in open(f"{out}/e{e}-r{r}.jsonl"))
def wall(e): return float(open(f"{out}/e{e}-r{r}.wall").read())
print(f"round {r}: training {train(1):.1f} s single, {train(3):.1f} s ensemble of 3 = {train(3) / train(1):.2f}x; "
      f"wall {wall(1):.1f} s, {wall(3):.1f} s = {wall(3) / wall(1):.2f}x; load average {load}")
PY
done
