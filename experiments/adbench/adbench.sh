#!/usr/bin/env bash
# The five methods on the ADBench classical data sets other than the six ODDS ones.
# Data sets under 50,000 rows: 3 seeds, 150 epochs. Larger ones: 1 seed, 20 epochs (time).
# Usage: experiments/adbench/adbench.sh [out-dir]   (from the repository root, after a release build)
set -euo pipefail
OUT=${1:-experiments/adbench}
B=${IMDAD:-.build/release/imdad}
ROOT=${DATA_ROOT:-../shared/datasets}
mkdir -p "$OUT"
. "$(dirname "$0")/adbench-sets.sh"
"$B" evaluate --dataset $SMALL --seeds 3 --epochs 150 --quiet --data-root "$ROOT" --runs-log "$OUT/runs-small.jsonl" > "$OUT/small.md"
"$B" evaluate --dataset $LARGE --seeds 1 --epochs 20 --milestones 10 --quiet --data-root "$ROOT" --runs-log "$OUT/runs-large.jsonl" > "$OUT/large.md"
