#!/bin/sh
# Load runs of `imdad serve` with wrk on loopback (thyroid model); see README.md here.
# Run from the repository root after `swift build -c release --product imdad`:
#   sh experiments/serve/bench.sh MODEL BODIES [SECONDS] [SOAK_SECONDS]
set -eu
MODEL=$1; BODIES=$2; T=${3:-30}; SOAK=${4:-300}; PORT=${PORT:-18080}
URL=http://127.0.0.1:$PORT
LUA=experiments/serve/post.lua
grep -m1 "model name" /proc/cpuinfo; echo "cores: $(nproc)"; uptime
.build/release/imdad serve "$MODEL" --port "$PORT" 2>/tmp/serve-bench-server.log &
PID=$!
sleep 2
rss() { echo "RSS $1: $(grep VmRSS /proc/$PID/status | awk '{print $2, $3}')"; }
rss "after start"
run() {  # name body content-type path
    echo "== $1 ($T s, 64 connections)"; uptime
    BODY=$BODIES/$2 TYPE=$3 wrk -t2 -c64 -d"${T}s" --latency -s $LUA "$URL$4" | grep -E "Latency|50%|90%|99%|Requests/sec|requests in|Non-2xx|Socket"
}
run "score, one row per request (JSON)" one.json application/json /v1/score
run "score, 1,000 rows per request (CSV)" rows1000.csv text/csv /v1/score
run "score, 1,000 rows per request (JSON)" rows1000.json application/json /v1/score
run "explain, one row per request (JSON)" one.json application/json /v1/explain
rss "before the soak run"
echo "== soak: score one row per request, $SOAK s"; uptime
BODY=$BODIES/one.json wrk -t2 -c64 -d"${SOAK}s" --latency -s $LUA "$URL/v1/score" | grep -E "99%|Requests/sec|requests in|Non-2xx" &
W=$!
i=0; while [ $i -lt "$SOAK" ]; do sleep 60; i=$((i + 60)); rss "soak ${i} s"; done
wait $W
rss "after the soak run"; uptime
curl -s "$URL/metrics" | grep -E "^imdad_rows_scored_total|^imdad_http_requests_total" | head -8
kill -TERM $PID; wait $PID; echo "server exit status: $?"
