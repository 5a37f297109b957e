#!/usr/bin/env bash
# Builds the IMDADData libFuzzer + ASan harness and runs it.
# Usage: Fuzz/run-data-fuzz.sh [seconds]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
out="${TMPDIR:-/tmp}/imdad-data-fuzz"
mkdir -p "$out/corpus"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name DataFuzz \
  -I Sources/CZlib Sources/IMDADData/*.swift Fuzz/DataFuzz.swift -lz -o "$out/data-fuzz"
# Seed corpus: selector byte + a valid file of each format.
python3 - "$out/corpus" <<'PY'
import sys, io, gzip, struct, numpy as np
d = sys.argv[1]
def w(name, sel, b): open(f"{d}/{name}", "wb").write(bytes([sel]) + b)
b = io.BytesIO(); np.save(b, np.arange(6, dtype="<f8").reshape(2, 3)); w("npy", 0, b.getvalue())
b = io.BytesIO(); np.save(b, np.asfortranarray(np.arange(6, dtype=">i2").reshape(2, 3))); w("npy_f", 0, b.getvalue())
b = io.BytesIO(); np.savez_compressed(b, X=np.ones((3, 2)), y=np.array([0, 1, 0])); w("npz", 1, b.getvalue())
b = io.BytesIO(); np.savez(b, X=np.ones((3, 2)), y=np.array([0, 1, 0])); w("npz_s", 1, b.getvalue())
idx = struct.pack(">BBBBII", 0, 0, 8, 2, 2, 3) + bytes(range(6))
w("idx", 2, idx); w("idx_gz", 2, gzip.compress(idx, mtime=0))
w("csv", 0x83, b'a,"b ""q""",y\r\n1,2.5e3,0\n"3",-4,1\n')
w("csv2", 4, b'a;b\n"x\ny";2\n')
PY
"$out/data-fuzz" -max_total_time="$secs" -max_len=4096 -rss_limit_mb=1024 -malloc_limit_mb=512 "$out/corpus"
