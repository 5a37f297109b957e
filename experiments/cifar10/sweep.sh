#!/bin/sh
# CIFAR-10 under the Deep SAD protocol (issue 25; spec §6 CIFAR-10 LeNet, §7): one class normal,
# γ_l = 0.05, known anomaly class normal + 1, the whole test set scored, pixels in [0, 1], seed 0,
# lr 1e-4 (the images default, given explicitly). In order:
#   1. IMD-AD (defaults) and Deep SAD, 30 epochs, lr ÷10 at 20        → runs-30.jsonl
#   2. Deep SVDD, 30 epochs, lr ÷10 at 20                            → runs-30.jsonl
#   3. IMD-AD and Deep SAD, the protocol's 150 epochs, lr ÷10 at 50   → runs-150.jsonl
# Every step resumes (--resume skips the runs already in its results file), so the script can be
# stopped and started again in a later session:
#   IMDAD=<binary> nohup sh experiments/cifar10/sweep.sh >> experiments/cifar10/sweep.log 2>&1 &
# Data: $CIFAR10_ROOT, else the first of ../shared/datasets/cifar10 (next to the repository, the
# default of `imdad images`) and ../../shared/datasets/cifar10 (from a worktree under wt/).
cd "$(dirname "$0")/../.." || exit 1
B=${IMDAD:-.build/release/imdad}
DATA=${CIFAR10_ROOT:-}
if [ -z "$DATA" ]; then
    for d in ../shared/datasets/cifar10 ../../shared/datasets/cifar10; do
        if [ -d "$d" ]; then DATA=$d; break; fi
    done
fi
[ -n "$DATA" ] || { echo "sweep.sh: no CIFAR-10 folder; set CIFAR10_ROOT" >&2; exit 1; }
THREADS=${THREADS:-2}
export OPENBLAS_NUM_THREADS=$THREADS
C="--dataset cifar10 --data-root $DATA --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.05 --seed 0 --lr 1e-4 --threads $THREADS --resume"
echo "== $(date -u +%FT%TZ) sweep.sh start: $B ($(git rev-parse --short HEAD 2>/dev/null)), data $DATA, $THREADS threads, pid $$"
set -e
$B images $C --methods imdad,deepsad --epochs 30 --milestones 20 --results experiments/cifar10/runs-30.jsonl
$B images $C --methods deepsvdd --epochs 30 --milestones 20 --results experiments/cifar10/runs-30.jsonl
$B images $C --methods imdad,deepsad --epochs 150 --milestones 50 --results experiments/cifar10/runs-150.jsonl
echo "== $(date -u +%FT%TZ) sweep.sh done"
