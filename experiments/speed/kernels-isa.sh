#!/bin/sh
# The C loops (Sources/CIMDADKernels) built once per instruction set, as target_clones builds them,
# must give the same bits: baseline x86-64, AVX2 (x86-64-v3) and AVX-512 (x86-64-v4), each at -O2
# with the vectorizer free to use the set's widest registers. Run from the repository root:
#   sh experiments/speed/kernels-isa.sh
# Prints one checksum per build; they must all be equal (exit status 1 otherwise). A build for an
# instruction set this CPU lacks is compiled but not run.
set -eu
out=${TMPDIR:-/tmp}/imdad-kernels-isa
mkdir -p "$out"
flags=$(grep -o 'avx512f\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')
sums=""
for arch in x86-64 x86-64-v3 x86-64-v4; do
    clang -O2 -march=$arch -DIMDAD_NO_CLONES -I Sources/CIMDADKernels/include Sources/CIMDADKernels/kernels.c Sources/CIMDADKernels/pool.c -pthread \
        experiments/speed/kernels-isa.c -lm -o "$out/check-$arch"
    case $arch in
        x86-64-v3) need=avx2 ;;
        x86-64-v4) need=avx512f ;;
        *) need="" ;;
    esac
    if [ -n "$need" ] && ! echo "$flags" | grep -q "$need"; then echo "$arch: built, not run (no $need here)"; continue; fi
    s=$("$out/check-$arch" | sha256sum | cut -c1-16)
    echo "$arch: $s"
    sums="$sums $s"
done
[ "$(echo $sums | tr ' ' '\n' | sort -u | wc -l)" -eq 1 ] && echo "same bits on every instruction set run here" || { echo "the builds differ" >&2; exit 1; }
