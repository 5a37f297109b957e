#!/usr/bin/env bash
# The PyTorch reference (../shared/peers/imdad_torch.py) on the same data sets and seeds, for the
# "agrees within noise" check of Deep SAD / Deep SVDD / IMD-AD. One JSON line per run.
set -u
PY=${PY:-$HOME/torchenv/bin/python}
PEER=${PEER:-../shared/peers/imdad_torch.py}
OUT=${1:-results/peer/runs.jsonl}
for ds in cardio satellite thyroid; do
  for seed in 0 1 2; do
    $PY "$PEER" --method deepsad --sampler balanced --dataset $ds --seed $seed --threads 1 --out "$OUT" > /dev/null
    $PY "$PEER" --method deepsvdd --dataset $ds --seed $seed --threads 1 --out "$OUT" > /dev/null
    $PY "$PEER" --method imdad --dataset $ds --seed $seed --threads 1 --out "$OUT" > /dev/null
  done
done
