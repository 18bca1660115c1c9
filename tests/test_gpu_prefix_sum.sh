#!/usr/bin/env bash
# tests/test_gpu_prefix_sum.sh - examples/gpu_prefix_sum: its numbers equal an
# independent awk computation, on the CPU path and on the GPU path through
# the fake driver (build/libfakecuda.so: the real GPU consumer code with the
# kernels emulated), also when the GPU fails mid-run; --gpu without a driver
# exits 1. Prints PASS/FAIL/SKIP lines; exits nonzero on a failure.
set -u
B=${FQP_BUILD:-build}
PROG=$B/gpu_prefix_sum
FAKE=$(cd "$B" && pwd)/libfakecuda.so
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-prefix.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# Reads of 0..300 bases, qualities uniform over Q0..Q40: every class occurs.
awk 'BEGIN { srand(17)
    for (r = 1; r <= 4000; r++) {
        len = int(rand() * 301); s = ""; q = ""
        for (k = 0; k < len; k++) { s = s substr("ACGT", 1 + int(rand() * 4), 1); q = q sprintf("%c", 33 + int(rand() * 41)) }
        printf "@r%d\n%s\n+\n%s\n", r, s, q
    } }' > "$tmp/in.fq"

# The same numbers, computed directly from the definitions.
awk 'BEGIN { for (i = 33; i < 127; i++) ord[sprintf("%c", i)] = i - 33 }
     NR % 4 == 0 { n++; len = length($0); if (len == 0) next
        t = 0; tail = 0
        for (k = 1; k <= len; k++) { v = ord[substr($0, k, 1)]; t += v; if (k > len - 10) tail += v }
        sum += t; q20 += t >= 20 * len; q30 += t >= 30 * len
        if (len >= 10) low += tail < 200 }
     END { printf "reads\t%d\nquality_sum\t%d\nmean_q20\t%d\nmean_q30\t%d\nlast10_below_q20\t%d\n", n, sum, q20, q30, low }' \
    "$tmp/in.fq" > "$tmp/want"

run() { # run NAME ENV... -- ARGS: compare with the awk answer
    local name=$1; shift
    env "$@" "$tmp/in.fq" > "$tmp/got" 2> "$tmp/err"; rc=$?
    if [ "$rc" = 0 ] && cmp -s "$tmp/want" "$tmp/got"; then pass "$name"
    else fail "$name"; { echo "exit $rc"; diff "$tmp/want" "$tmp/got"; cat "$tmp/err"; } | sed 's/^/  /'; fi
}
run prefix-sum:cpu "$PROG" --cpu
if [ -f "$FAKE" ]; then
    run prefix-sum:gpu FASTQPAR_CUDA_LIBRARY="$FAKE" FASTQPAR_BATCH_RECORDS=83 FASTQPAR_THREADS=2 "$PROG" -v --gpu
    if grep -Eq "GPU consumer 0: [1-9][0-9]* batches" "$tmp/err"; then pass prefix-sum:gpu-did-work
    else fail prefix-sum:gpu-did-work; sed 's/^/  /' "$tmp/err"; fi
    run prefix-sum:gpu-fails-at-first-launch FAKE_CUDA_FAIL_LAUNCH_AT=1 FASTQPAR_CUDA_LIBRARY="$FAKE" \
        FASTQPAR_BATCH_RECORDS=83 FASTQPAR_THREADS=2 "$PROG" -v
    if grep -q "failed, CPU took over" "$tmp/err"; then pass prefix-sum:gpu-failure-reported
    else fail prefix-sum:gpu-failure-reported; sed 's/^/  /' "$tmp/err"; fi
else
    echo "SKIP prefix-sum:gpu: $FAKE not built"
fi
FASTQPAR_CUDA_LIBRARY=$tmp/no-libcuda.so.1 "$PROG" --gpu "$tmp/in.fq" > "$tmp/got" 2> "$tmp/err"; rc=$?
if [ "$rc" = 1 ] && [ ! -s "$tmp/got" ] && grep -q "no-libcuda.so.1" "$tmp/err"; then pass prefix-sum:gpu-required
else fail prefix-sum:gpu-required; { echo "exit $rc"; cat "$tmp/err"; } | sed 's/^/  /'; fi
[ "$failed" -eq 0 ]
