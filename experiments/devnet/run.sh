#!/bin/sh
# imdad's DevNet against DeepOD's on the same splits: the six ODDS sets, seeds 0…SEEDS−1, clean
# setting, γ_l = 0.01, one thread each. Usage (from the repository root):
#   experiments/devnet/run.sh [SEEDS] [DATA_ROOT] [DEEPOD_PYTHON]
set -eu
SEEDS=${1:-5}
ROOT=${2:-../shared/datasets}
PY=${3:-/tmp/deepodenv/bin/python}
OUT=experiments/devnet
SPLITS=${SPLITS:-/tmp/imdad-devnet-splits}
SETS="thyroid cardio satellite satimage-2 shuttle arrhythmia"
IMDAD=.build/release/imdad
$IMDAD evaluate --data-root "$ROOT" --dataset $SETS --seeds "$SEEDS" --gamma-l 0.01 --export-splits "$SPLITS"
rm -f $OUT/runs-imdad.jsonl $OUT/runs-deepod.jsonl
$IMDAD evaluate --data-root "$ROOT" --dataset $SETS --methods devnet --seeds "$SEEDS" --gamma-l 0.01 --threads 1 --quiet \
  --runs-log $OUT/runs-imdad.jsonl > $OUT/imdad.md
"$PY" $OUT/deepod_devnet.py "$SPLITS" $OUT/runs-deepod.jsonl --sets $SETS --seeds "$SEEDS" --setting clean
python3 $OUT/compare.py $OUT/runs-imdad.jsonl $OUT/runs-deepod.jsonl > $OUT/compare.md
cat $OUT/compare.md
