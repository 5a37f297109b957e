#!/usr/bin/env bash
# Builds one libFuzzer + AddressSanitizer target and runs it for a number of executions.
#
#   Fuzz/run.sh <target> [runs] [extra libFuzzer flags…]     targets: npy npz csv idx model
#
# The library modules (IMDADEngine, IMDADData, IMDADDetectors) are compiled once per source
# change into $FUZZ_OUT/lib with coverage instrumentation, then linked with Fuzz/Targets/<T>Fuzz.swift.
# The committed seed corpus Fuzz/corpus/<target>/ is copied into a scratch corpus that grows;
# crashes, leaks and timeouts are written to $FUZZ_OUT/<target>/artifacts/ and make the run fail.
# Long runs may set ASAN_OPTIONS=malloc_context_size=0:quarantine_size_mb=8 (stop 22's runs did): no
# allocation stacks are recorded (a finding's report lacks them; a replay without the option,
# `$FUZZ_OUT/<target>/fuzz artifacts/<file>`, gives them) and freed memory waits in an 8 MB
# quarantine instead of 256 MB (peak RSS ~130 MB instead of ~610 MB for csv). Measured on csv
# (Fuzz/RESULTS.md, stop 22): 20,000 executions take 1.18x less time without allocation stacks; the
# smaller quarantine showed no further gain in those short runs.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: Fuzz/run.sh <npy|npz|csv|idx|model> [runs] [libFuzzer flags…]}"
runs="${2:-1000000}"
shift $(( $# >= 2 ? 2 : 1 ))
case "$target" in
  npy) harness=NPYFuzz; modules="IMDADData"; maxlen=4096 ;;
  npz) harness=NPZFuzz; modules="IMDADData"; maxlen=4096 ;;
  csv) harness=CSVFuzz; modules="IMDADData"; maxlen=2048 ;;
  idx) harness=IDXFuzz; modules="IMDADData"; maxlen=2048 ;;
  model) harness=ModelFuzz; modules="IMDADEngine IMDADData IMDADDetectors"; maxlen=8192 ;;
  *) echo "unknown target '$target' (npy, npz, csv, idx, model)" >&2; exit 2 ;;
esac
out="${FUZZ_OUT:-${TMPDIR:-/tmp}/imdad-fuzz}"
lib="$out/lib"
mkdir -p "$lib" "$out/$target/corpus" "$out/$target/artifacts"

flags=(-parse-as-library -O -sanitize=fuzzer,address -I "$lib" -I Sources/CZlib -I Sources/CIMDADKernels/include)
for m in IMDADEngine IMDADData IMDADDetectors; do
  [[ " $modules " == *" $m "* ]] || continue
  srcs=$(find "Sources/$m" -name '*.swift' | sort)
  deps=""; [[ $m == IMDADDetectors ]] && deps=$(find Sources/IMDADEngine Sources/IMDADData -name '*.swift' | sort)
  # shellcheck disable=SC2086
  stamp=$(cat $deps $srcs | sha1sum | cut -c1-16)  # a module is rebuilt when it or what it imports changes
  if [[ "$(cat "$lib/$m.stamp" 2>/dev/null)" != "$stamp" ]]; then
    echo "building $m (instrumented)…" >&2
    # shellcheck disable=SC2086
    swiftc "${flags[@]}" -wmo -module-name "$m" -emit-module -emit-module-path "$lib/$m.swiftmodule" \
      -emit-object -o "$lib/$m.o" $srcs
    echo "$stamp" > "$lib/$m.stamp"
  fi
done
objs=(); for m in $modules; do objs+=("$lib/$m.o"); done
# The engine's C loops (Sources/CIMDADKernels), compiled as SwiftPM compiles them.
if [[ " $modules " == *" IMDADEngine "* ]]; then
  clang -O2 -fsanitize=address -I Sources/CIMDADKernels/include -c Sources/CIMDADKernels/kernels.c -o "$lib/CIMDADKernels.o"
  objs+=("$lib/CIMDADKernels.o")
fi
# The npy round trip needs the NPY writer, which lives with the tests (the library only reads).
extra=(); [[ $target == npy ]] && extra=(Tests/IMDADTestSupport/NPYWriter.swift)
swiftc "${flags[@]}" -module-name "${harness}" Fuzz/Targets/Common.swift "Fuzz/Targets/$harness.swift" "${extra[@]}" \
  "${objs[@]}" -lz -o "$out/$target/fuzz"
cp -n Fuzz/corpus/"$target"/* "$out/$target/corpus/" 2>/dev/null || true
cd "$out/$target"
# libFuzzer reports a crash itself; Swift's backtracer would only delay it (and its helper process
# can outlive the run, holding the log open).
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
exec ./fuzz -runs="$runs" -max_len="$maxlen" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
  -artifact_prefix=artifacts/ -print_final_stats=1 "$@" corpus
