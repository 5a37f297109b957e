#!/bin/sh
# Two builds alternated on one encoder's training step and forward pass (`imdad bench engine`,
# 3 trials each time), N times; prints the median, the smallest and the largest of each. On a VM
# whose speed drifts over minutes, only such alternated runs compare two builds.
#   sh experiments/speed/ab-engine.sh OLD_BINARY NEW_BINARY [N] [ENCODER]   (default 6, "MLP 274")
A=$1; B=$2; N=${3:-6}; ONLY=${4:-MLP 274}
out=$(mktemp)
for i in $(seq "$N"); do
    for t in A B; do
        if [ $t = A ]; then bin=$A; else bin=$B; fi
        "$bin" bench engine --only "$ONLY" --trials 3 --threads 2 | tail -1 | awk -v t=$t '{print t, $5, $9}' >> "$out"
    done
done
for t in A B; do
    grep "^$t " "$out" | awk '{print $2}' | sort -n | awk -v t=$t '{a[NR]=$1} END {printf "%s train median %s ms (min %s, max %s); ", t, a[int((NR+1)/2)], a[1], a[NR]}'
    grep "^$t " "$out" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "forward median %s ms (min %s, max %s)\n", a[int((NR+1)/2)], a[1], a[NR]}'
done
rm -f "$out"
