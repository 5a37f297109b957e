#!/usr/bin/env bash
# Changes to the IMD-AD objective (issue 3: "change it within spec §1 and show the ablation"),
# each over the full ODDS protocol with 10 seeds, so they compare seed by seed with the Deep SAD
# runs in experiments/odds/runs.jsonl. One `imdad evaluate --methods imdad` per variant; skips
# variants whose runs file exists. Summary: python3 experiments/ablation/objective-study.py [out-dir]
# Usage: experiments/ablation/objective-study.sh [out-dir]   (from the repository root, after a release build)
set -euo pipefail
OUT=${1:-experiments/ablation/10-seeds}
B=${IMDAD:-.build/release/imdad}
ROOT=${DATA_ROOT:-../shared/datasets}
mkdir -p "$OUT"
# These runs used the defaults before the study's setting became the default (ν 0.1, κ 1, R² as
# trained); V1 pins them so that a rerun reproduces them (options given later override it).
V1="--nu 0.1 --kappa 1 --keep-trained-radius"
evaluate() {  # runs log, evaluate options…: one quiet `imdad evaluate` appending to the log
  local log=$1; shift
  "$B" evaluate --quiet --data-root "$ROOT" --runs-log "$log" "$@" > /dev/null
}
run() {  # name, extra options…
  local name=$1; shift
  [[ -s "$OUT/runs-$name.jsonl" ]] && return
  echo "== $name ($*)" >&2
  evaluate "$OUT/runs-$name.jsonl.tmp" $V1 --dataset odds --methods imdad --seeds 10 "$@"
  mv "$OUT/runs-$name.jsonl.tmp" "$OUT/runs-$name.jsonl"
}
run default
# ν: how many normals the hinge pulls (and where R² sits)
run nu-0.5 --nu 0.5
run nu-0.7 --nu 0.7
# compactness μ·mean‖φ − c‖² on every normal (Deep SAD's pull added to J)
run mu-0.1 --mu 0.1
run mu-1 --mu 1
run mu-10 --mu 10
run mu-100 --mu 100
run nu-0.5-mu-1 --nu 0.5 --mu 1
run nu-0.5-mu-10 --nu 0.5 --mu 10
# ramp: normals beyond s = τ·ρ² (likely unlabeled anomalies) stop pulling
run cap-1 --normal-cap 1
run cap-4 --normal-cap 4
run nu-0.5-cap-1 --nu 0.5 --normal-cap 1
# center fixed at the initial mean (Deep SAD's c), R² still learned
run center-fixed --center-lr-scale 0
run nu-0.5-center-fixed --nu 0.5 --center-lr-scale 0
# smooth hinge and anomaly weight
run softplus-b10-mu-10 --softplus-beta 10 --mu 10
run nu-0.5-softplus-b10 --nu 0.5 --softplus-beta 10
run nu-0.5-kappa-5 --nu 0.5 --kappa 5
run nu-0.5-softplus-b10-kappa-2 --nu 0.5 --softplus-beta 10 --kappa 2
run nu-0.5-softplus-b10-kappa-5 --nu 0.5 --softplus-beta 10 --kappa 5
run nu-0.7-softplus-b10-kappa-5 --nu 0.7 --softplus-beta 10 --kappa 5
run nu-0.5-softplus-b1 --nu 0.5 --softplus-beta 1
run nu-0.5-softplus-b1-kappa-5 --nu 0.5 --softplus-beta 1 --kappa 5
run nu-0.5-encoder-bias --nu 0.5 --encoder-bias
# ν = 1: every normal pulled (then R² is free and the anomalies' margin weakens)
run nu-1 --nu 1
# softplus on the labeled anomalies' term only (never stops pushing them, like Deep SAD's 1/dist)
run nu-0.5-asp-b1 --nu 0.5 --anomaly-softplus-beta 1
run nu-0.5-asp-b1-kappa-5 --nu 0.5 --anomaly-softplus-beta 1 --kappa 5
run asp-b1-kappa-5 --anomaly-softplus-beta 1 --kappa 5
# λ and the learning rate at ν = 0.5
run nu-0.5-wd-1e-4 --nu 0.5 --weight-decay 1e-4
run nu-0.5-lr-1e-4 --nu 0.5 --lr 1e-4
# Deep SAD's autoencoder pretraining (150 epochs) of the encoder, and Deep SAD itself with it
run ae-150 --pretrain-epochs 150
run nu-0.5-ae-150 --nu 0.5 --pretrain-epochs 150
run deepsad-balanced-ae-150 --methods deepsad-balanced --pretrain-epochs 150  # the last --methods wins
# third round (2026-11-30, 15:45–16:05 UTC, engine of 0263005): pretraining with a larger anomaly weight
run nu-0.5-asp-b1-ae-150 --nu 0.5 --anomaly-softplus-beta 1 --pretrain-epochs 150
run nu-0.5-kappa-5-ae-150 --nu 0.5 --kappa 5 --pretrain-epochs 150
run nu-0.5-kappa-10-ae-150 --nu 0.5 --kappa 10 --pretrain-epochs 150
run nu-0.5-kappa-20-ae-150 --nu 0.5 --kappa 20 --pretrain-epochs 150
run nu-0.5-kappa-10-asp-b1-ae-150 --nu 0.5 --kappa 10 --anomaly-softplus-beta 1 --pretrain-epochs 150
run nu-0.7-kappa-10-ae-150 --nu 0.7 --kappa 10 --pretrain-epochs 150
# fourth round (2026-11-30, 16:20–17:35 UTC, engine of 8216e09): ν = 0.7 with larger κ, full protocol
run nu-0.7-kappa-20-ae-150 --nu 0.7 --kappa 20 --pretrain-epochs 150
run nu-0.7-kappa-100-ae-150 --nu 0.7 --kappa 100 --pretrain-epochs 150
# the image runs' setting (ν 0.7, κ 10) without pretraining, as a default would run it
run nu-0.7-kappa-10 --nu 0.7 --kappa 10
run nu-0.7-kappa-20 --nu 0.7 --kappa 20
# fifth round (stop 15, 2026-12-01, binary of this stop): Deep SAD's push π/m Σ 1/(‖φ − c‖² + ε) on the
# labeled anomalies added to today's defaults (ν 0.7, κ 10, R² refit at 0.1: V1 left empty), with and without pretraining
for p in 1 3 10 30; do V1= run nu-0.7-kappa-10-push-$p --anomaly-push $p --threads 1; done
for p in 1 3; do V1= run nu-0.7-kappa-10-push-$p-ae-150 --anomaly-push $p --pretrain-epochs 150 --threads 1; done
# … and screens on the two sets still behind (thyroid, shuttle), 10 seeds each, in experiments/ablation/screen
# (shuttle: 20 s a run with pretraining, thyroid 1.5 s). Table: python3 experiments/ablation/objective-study.py experiments/ablation/screen
screen() {  # name, data sets, extra options…
  local name=$1 sets=$2; shift 2
  for d in $sets; do evaluate "experiments/ablation/screen/runs-$name.jsonl" $V1 --dataset "$d" --methods imdad --seeds 10 "$@"; done
}
if [[ ${SCREENS:-0} == 1 ]]; then
  A="--pretrain-epochs 150"
  screen nu07-k20-ae "thyroid shuttle" --nu 0.7 --kappa 20 $A
  screen nu09-k10-ae "thyroid shuttle" --nu 0.9 --kappa 10 $A
  screen nu07-k10-ae-asp4 "thyroid shuttle" --nu 0.7 --kappa 10 --anomaly-softplus-beta 4 $A
  screen nu07-k40-ae "thyroid shuttle" --nu 0.7 --kappa 40 $A
  screen nu06-k20-ae "thyroid shuttle" --nu 0.6 --kappa 20 $A
  screen nu07-k20-ae-mu1 "thyroid shuttle" --nu 0.7 --kappa 20 --mu 1 $A
  screen nu07-k20-ae-cfix "thyroid shuttle" --nu 0.7 --kappa 20 --center-lr-scale 0 $A
  screen nu07-k40 thyroid --nu 0.7 --kappa 40
  for k in 100 300 1000; do screen nu07-k$k-ae thyroid --nu 0.7 --kappa $k $A; done
  screen nu05-k100-ae thyroid --nu 0.5 --kappa 100 $A
  screen nu03-k100-ae thyroid --nu 0.3 --kappa 100 $A
fi
# sixth round (stop 16, 2026-12-01, a machine with AVX-512: OpenBLAS's Cooperlake kernels, whose
# rounding differs from the Haswell kernels of the rounds above, so Deep SAD is rerun beside the
# variants): AVX512=1 experiments/ablation/objective-study.sh. Table: python3 experiments/ablation/objective-study.py
# experiments/ablation/avx512 --reference experiments/ablation/avx512/protocol-seeds-0-9.jsonl (and the
# same for avx512/seeds-10-29 with its own reference file).
if [[ ${AVX512:-0} == 1 ]]; then
  A5=experiments/ablation/avx512
  mkdir -p $A5/seeds-10-29
  SEEDS="--seeds 10"
  odds() { evaluate "$3" --dataset "$1" --methods "$2" $SEEDS --threads 1 "${@:4}"; }  # data set, methods, log, options…
  odds odds imdad,deepsad-balanced $A5/protocol-seeds-0-9.jsonl     # runs-defaults.jsonl: its IMD-AD lines
  for v in "k10-ae --kappa 10" "k20-ae --kappa 20" "k20-p0.3-ae --kappa 20 --anomaly-push 0.3" \
           "k20-p0.3-ae-cfix --kappa 20 --anomaly-push 0.3 --center-lr-scale 0"; do
    set -- $v; odds odds imdad $A5/runs-$1.jsonl --nu 0.7 "${@:2}" --pretrain-epochs 150
  done
  for v in "k10-p0.3-ae --kappa 10 --anomaly-push 0.3 --pretrain-epochs 150" "k10-p1-ae --kappa 10 --anomaly-push 1 --pretrain-epochs 150" \
           "k20-p0.1-ae --kappa 20 --anomaly-push 0.1 --pretrain-epochs 150" "k20-p1-ae --kappa 20 --anomaly-push 1 --pretrain-epochs 150" \
           "k20-p3-ae --kappa 20 --anomaly-push 3 --pretrain-epochs 150" "k20-ae50 --kappa 20 --pretrain-epochs 50" \
           "k10-b16-ae --kappa 10 --anomalies-per-batch 16 --pretrain-epochs 150" \
           "k20-p0.3-b16-ae --kappa 20 --anomaly-push 0.3 --anomalies-per-batch 16 --pretrain-epochs 150" \
           "k20-p1-b16-ae --kappa 20 --anomaly-push 1 --anomalies-per-batch 16 --pretrain-epochs 150" \
           "k10-p10 --kappa 10 --anomaly-push 10" "k20-p3 --kappa 20 --anomaly-push 3" "k20-p10 --kappa 20 --anomaly-push 10"; do
    set -- $v
    for d in thyroid satellite; do odds $d imdad $A5/runs-$1.jsonl --nu 0.7 "${@:2}"; done
  done
  for d in thyroid shuttle; do
    odds $d imdad $A5/runs-k20-p0.3-ae-nu0.9.jsonl --nu 0.9 --kappa 20 --anomaly-push 0.3 --pretrain-epochs 150
  done
  # new splits: seeds 10–29, the defaults and Deep SAD (balanced), and the best variant of the protocol seeds
  SEEDS="--seeds 20 --first-seed 10"
  odds odds imdad,deepsad-balanced $A5/seeds-10-29/runs-defaults-and-deepsad-balanced.jsonl
  odds odds imdad $A5/seeds-10-29/runs-k10-ae.jsonl --pretrain-epochs 150
  odds odds imdad $A5/seeds-10-29/runs-k20-p0.3-ae-cfix.jsonl --nu 0.7 --kappa 20 --anomaly-push 0.3 --center-lr-scale 0 --pretrain-epochs 150
fi
