#!/bin/sh
# Stop 18 (2026-12-02): the protocol's 150 epochs (lr 1e-4 ÷10 at 50) for the γ_l that had only
# 30-epoch runs, and Deep SVDD at 150 epochs. Seed 0, known anomaly class normal + 1, today's
# defaults (IMD-AD ν 0.7, κ 10). Two processes, one BLAS thread each, one results file each:
#   IMDAD=<binary> sh experiments/images/grid-150.sh a &   IMDAD=<binary> sh experiments/images/grid-150.sh b &
# Every line resumes (--resume skips the runs already in the results file).
B=${IMDAD:-.build/release/imdad}
OUT=experiments/images/runs-150-gamma-$1.jsonl
C="--seed 0 --threads 1 --lr 1e-4 --epochs 150 --milestones 50 --resume --quiet --results $OUT"
ALL="0 1 2 3 4 5 6 7 8 9"
export OPENBLAS_NUM_THREADS=1
case "$1" in
a) $B images $C --dataset mnist --classes $ALL --gamma-l 0.01 0.1 0.2 --methods imdad
   $B images $C --dataset mnist --classes 5 6 7 8 9 --gamma-l 0.05 --methods deepsvdd
   $B images $C --dataset fmnist --classes 0 1 2 3 4 --gamma-l 0.05 --methods deepsvdd ;;
b) $B images $C --dataset mnist --classes $ALL --gamma-l 0.01 0.1 0.2 --methods deepsad
   $B images $C --dataset mnist --classes 0 1 2 3 4 --gamma-l 0.05 --methods deepsvdd
   $B images $C --dataset fmnist --classes 5 6 7 8 9 --gamma-l 0.05 --methods deepsvdd ;;
esac
