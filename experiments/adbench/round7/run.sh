#!/bin/sh
# Stop 19: the ODDS study's pick (ν 0.7, κ 10, pretraining 150 epochs, push 0.1, center at 0.1 of the
# learning rate) on the 20 small ADBench sets, where it was never tuned: 10 seeds, 150 epochs,
# beside the defaults and Deep SAD (balanced) with and without the same pretraining.
# Usage: IMDAD=<binary> sh experiments/adbench/round7/run.sh a|b   (one thread each)
set -e
IMDAD=${IMDAD:-.build/release/imdad}
D=experiments/adbench/round7
. experiments/adbench/adbench-sets.sh   # SMALL: the 20 small sets
e() { "$IMDAD" evaluate --dataset $SMALL --seeds 10 --epochs 150 --threads 1 --quiet --data-root ${DATA_ROOT:-../shared/datasets} "$@"; }
case $1 in
a)
  e --methods imdad,deepsad-balanced --runs-log $D/runs-defaults-and-deepsad-balanced.jsonl > $D/defaults-and-deepsad-balanced.md
  e --methods deepsad-balanced --pretrain-epochs 150 --runs-log $D/runs-deepsad-balanced-ae.jsonl > $D/deepsad-balanced-ae.md
  ;;
b)
  e --methods imdad --pretrain-epochs 150 --anomaly-push 0.1 --center-lr-scale 0.1 --runs-log $D/runs-k10-p0.1-ae-c0.1.jsonl > $D/k10-p0.1-ae-c0.1.md
  ;;
esac
