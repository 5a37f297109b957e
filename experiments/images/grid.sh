#!/bin/bash
# The image grid continued on 2026-11-30 (see README.md in this folder), one BLAS thread per
# process, two processes side by side on the 2-core machine. Every command resumes: rerunning
# the script skips finished runs. Reduced schedule as in sweep.sh (30 epochs, lr 1e-4 ÷10 at 20)
# except the 150-epoch check. Settings that the results key does not hold (ν, pretraining
# before it was keyed) go to their own results file.
cd "$(dirname "$0")/../.."
export OPENBLAS_NUM_THREADS=1
B=${IMDAD:-.build/release/imdad}
# These runs used the defaults before the study's setting became the default (ν 0.1, κ 1, R² as
# trained); V1 pins them so that a rerun reproduces them (options given later override it).
V1="--nu 0.1 --kappa 1 --keep-trained-radius"
C="--seed 0 --resume --threads 1 --lr 1e-4"
R=30; M=20
# Deep SVDD (unsupervised: the labeled anomalies are not used, so one run per class serves every γ_l)
$B images $V1 --dataset mnist fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.05 --methods deepsvdd --epochs $R --milestones $M $C --results experiments/images/runs.jsonl
# γ_l = 0.01 and 0.1 (MNIST)
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.01 --methods imdad,deepsad --epochs $R --milestones $M $C --results experiments/images/runs.jsonl
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.1 --methods imdad,deepsad --epochs $R --milestones $M $C --results experiments/images/runs.jsonl
# γ_l = 0.2 (MNIST; a second process, so its own file)
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.2 --methods imdad,deepsad --epochs $R --milestones $M $C --results experiments/images/runs-g02.jsonl
# IMD-AD with ν = 0.5 (classes 0 and 8 first, the largest gaps to Deep SAD; then the rest, then MNIST)
$B images $V1 --dataset fmnist --classes 0 8 --gamma-l 0.05 --methods imdad --nu 0.5 --epochs $R --milestones $M $C --results experiments/images/runs-nu-0.5.jsonl
$B images $V1 --dataset fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.05 --methods imdad --nu 0.5 --epochs $R --milestones $M $C --results experiments/images/runs-nu-0.5.jsonl
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.05 --methods imdad --nu 0.5 --epochs $R --milestones $M $C --results experiments/images/runs-nu-0.5.jsonl
# autoencoder pretraining (30 epochs) for IMD-AD and Deep SAD, MNIST classes 0–4
$B images $V1 --dataset mnist --classes 0 1 2 3 4 --gamma-l 0.05 --methods imdad,deepsad --pretrain-epochs 30 --epochs $R --milestones $M $C --results experiments/images/runs-pretrain.jsonl
# the full 150-epoch schedule (milestone 50) on Fashion-MNIST class 0: does 30 suffice, and how long does it take?
$B images $V1 --dataset fmnist --classes 0 --gamma-l 0.05 --methods imdad,deepsad --epochs 150 --milestones 50 $C --results experiments/images/runs-150.jsonl
# Fashion-MNIST at γ_l = 0.01 (started at the end of the session; two processes, merged afterwards)
$B images $V1 --dataset fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.01 --methods imdad,deepsad --epochs $R --milestones $M $C --results experiments/images/runs.jsonl
# Fashion-MNIST, the rest of the γ_l grid (2026-11-30, 14:22–15:34 UTC), after the engine's
# threading: one thread per process, two processes side by side, merged into runs.jsonl afterwards.
# γ_l 0.01 classes 8, 9 and γ_l 0.1 ran on the engine of 1dd3b8b, γ_l 0.2 on that of 0263005
# (the 150-epoch check, README.md, gave the same AUROC and AP to every digit on both engines).
C2="--seed 0 --resume --threads 1 --lr 1e-4 --epochs $R --milestones $M --methods imdad,deepsad"
$B images $V1 --dataset fmnist --classes 8 9 --gamma-l 0.01 $C2 --results experiments/images/runs.jsonl
$B images $V1 --dataset fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.1 $C2 --results experiments/images/runs.jsonl
$B images $V1 --dataset fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.2 $C2 --results experiments/images/runs.jsonl
# ν = 0.7, κ = 10 (the best setting of the ODDS objective study, applied unchanged), γ_l = 0.05,
# 2026-11-30 16:20–17:05 UTC, engine of 8216e09; Fashion-MNIST and MNIST one process each, side by side.
C3="--seed 0 --threads 1 --lr 1e-4 --epochs $R --milestones $M --methods imdad --gamma-l 0.05 --nu 0.7"
$B images $V1 --dataset fmnist --classes 0 1 2 3 4 5 6 7 8 9 --kappa 10 $C3 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --kappa 10 $C3 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --kappa 20 $C3 --results experiments/images/runs-nu-0.7-kappa-20.jsonl
$B images $V1 --summary --results experiments/images/runs-nu-0.7-kappa-10.jsonl > experiments/images/summary-nu-0.7-kappa-10.md
# the protocol's 150-epoch schedule on all ten MNIST classes at γ_l = 0.05 (16:35–18:05 UTC, three
# processes on the two cores, so 230–340 s of training per run): IMD-AD (ν = 0.7, κ = 10) and Deep SAD
C4="--seed 0 --threads 1 --lr 1e-4 --epochs 150 --milestones 50 --gamma-l 0.05"
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --methods imdad --nu 0.7 --kappa 10 $C4 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --methods deepsad $C4 --results experiments/images/runs.jsonl
# the rest of the γ_l grid at ν = 0.7, κ = 10 (30 epochs), 17:10–18:50 UTC, beside the runs above
C5="--seed 0 --threads 1 --lr 1e-4 --epochs $R --milestones $M --methods imdad --nu 0.7 --kappa 10"
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.01 $C5 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.1 $C5 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.2 $C5 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.1 $C5 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.01 $C5 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset fmnist --classes 0 1 2 3 4 5 6 7 8 9 --gamma-l 0.2 $C5 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
# 150 epochs on Fashion-MNIST classes 0 and 3 at γ_l = 0.05 (18:24–18:48 UTC, two processes):
# IMD-AD (ν = 0.7, κ = 10) on both, Deep SAD on class 3 (its class 0 is in runs.jsonl since stop 9)
$B images $V1 --dataset fmnist --classes 0 3 --methods imdad --nu 0.7 --kappa 10 $C4 --results experiments/images/runs-nu-0.7-kappa-10.jsonl
$B images $V1 --dataset fmnist --classes 3 --methods deepsad $C4 --results experiments/images/runs.jsonl
# The Deep SAD paper's protocol averages over all nine known anomaly classes. Started for MNIST at
# γ_l = 0.05, ν = 0.7, κ = 10 (19:00–19:25 UTC, beside an ODDS study), stopped after known classes
# 0, 1, 2 (24 runs besides the normal + 1 ones): runs-nu-0.7-kappa-10-other-known.jsonl; then Deep SAD on
# the same splits (19:30–19:57 UTC, default objective, a newer binary): runs-other-known.jsonl
for k in 0 1 2; do
  $B images $V1 --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --known-class $k --gamma-l 0.05 $C5 --resume --results experiments/images/runs-nu-0.7-kappa-10-other-known.jsonl
done
for k in 0 1 2; do
  $B images --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --known-class $k --methods deepsad --seed 0 --threads 1 --lr 1e-4 --epochs $R --milestones $M --gamma-l 0.05 --resume --results experiments/images/runs-other-known.jsonl
done
# … and the known classes 3–9 for both methods (20:10–20:57 UTC, one process per method):
for k in 3 4 5 6 7 8 9; do
  for m in imdad deepsad; do
    $B images --dataset mnist --classes 0 1 2 3 4 5 6 7 8 9 --known-class $k --methods $m --seed 0 --threads 1 --lr 1e-4 --epochs $R --milestones $M --gamma-l 0.05 --resume --results experiments/images/runs-other-known-$m.jsonl
  done
done
# merged with the above: python3 experiments/images/merge-known-classes.py → runs-all-known.jsonl, summary-all-known.md
