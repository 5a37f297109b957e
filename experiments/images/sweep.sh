#!/bin/bash
# The reduced image sweep started on 2026-11-30 (see README.md in this folder): MNIST, then
# Fashion-MNIST, all ten normal classes, γ_l = 0.05, IMD-AD and Deep SAD, 30 epochs with the lr
# divided by 10 at epoch 20 (the PyTorch reference's schedule) instead of 150/50. Resumable.
cd "$(dirname "$0")/../.."
export OPENBLAS_NUM_THREADS=1
B=${IMDAD:-.build/release/imdad}
# These runs used the defaults before the study's setting became the default (ν 0.1, κ 1, R² as
# trained); V1 pins them so that a rerun reproduces them (options given later override it).
V1="--nu 0.1 --kappa 1 --keep-trained-radius"
exec $B images $V1 --dataset mnist fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.05 --methods imdad,deepsad \
    --epochs 30 --milestones 20 --lr 1e-4 --seed 0 --resume --results experiments/images/runs.jsonl
