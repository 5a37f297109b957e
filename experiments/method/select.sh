#!/usr/bin/env bash
# Issue 28, items 3–4: the candidates and the baselines on the selection splits (seeds 0–29) of the
# 26 tabular sets (six ODDS + the 20 small ADBench sets), both settings, one JSON line per run.
#
#   experiments/method/select.sh <part> [first-seed] [seeds]     parts: baselines imdad solve ensemble deepsad-ensemble
#
# Runs go to experiments/method/runs/<part>-<setting>.jsonl (appended; a part can be resumed by
# rerunning it with --first-seed past what its file holds). Binary: $IMDAD (default .build/release/imdad).
# Confirmation (item 4) is the same with first-seed 30 and seeds 20, into runs-confirm/ (CONFIRM=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
part=${1:?usage: select.sh <baselines|imdad|solve|ensemble|deepsad-ensemble> [first-seed] [seeds]}
first=${2:-0}; seeds=${3:-30}
B=${IMDAD:-.build/release/imdad}
. experiments/adbench/adbench-sets.sh
out=experiments/method/runs; [[ -z "${CONFIRM:-}" ]] || out=experiments/method/runs-confirm
mkdir -p "$out"
case "$part" in
  baselines)        args=(--methods deepsad-balanced,devnet,iforest) ;;
  imdad)            args=(--methods imdad) ;;
  solve)            args=(--methods imdad --sphere-solve-every 10) ;;
  ensemble)         args=(--methods imdad --ensemble 3) ;;
  deepsad-ensemble) args=(--methods deepsad-balanced --ensemble 3) ;;
  *) echo "unknown part '$part'" >&2; exit 2 ;;
esac
for setting in clean contaminated; do
  "$B" evaluate --dataset odds $SMALL --setting "$setting" "${args[@]}" --first-seed "$first" --seeds "$seeds" \
    --threads 1 --quiet --runs-log "$out/$part-$setting.jsonl" > /dev/null
done
