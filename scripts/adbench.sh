#!/usr/bin/env bash
# The five methods on the ADBench classical data sets other than the six ODDS ones.
# Data sets under 50,000 rows: 3 seeds, 150 epochs. Larger ones: 1 seed, 20 epochs (time).
# Usage: scripts/adbench.sh [out-dir]   (from the repository root, after a release build)
set -euo pipefail
OUT=${1:-results/adbench}
B=${IMDAD:-.build/release/imdad}
ROOT=${DATA_ROOT:-../shared/datasets}
mkdir -p "$OUT"
SMALL="7_Cardiotocography 14_glass 15_Hepatitis 17_InternetAds 19_landsat 20_letter 21_Lymphography 22_magic.gamma 24_mnist 25_musk 28_pendigits 35_SpamBase 39_vertebral 41_Waveform 42_WBC 43_WDBC 45_wine 46_WPBC 1_ALOI 5_campaign"
LARGE="34_smtp 8_celeba 33_skin 10_cover 16_http 11_donors"
"$B" evaluate --dataset $SMALL --seeds 3 --epochs 150 --quiet --data-root "$ROOT" --runs-log "$OUT/runs-small.jsonl" > "$OUT/small.md"
"$B" evaluate --dataset $LARGE --seeds 1 --epochs 20 --milestones 10 --quiet --data-root "$ROOT" --runs-log "$OUT/runs-large.jsonl" > "$OUT/large.md"
