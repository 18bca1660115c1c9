#!/usr/bin/env bash
# tests/test_gpu_kmer.sh - examples/gpu_kmer, the bring-your-own-kernel
# example: its counts (-o TSV) equal an independent awk count of canonical
# k-mers; the GPU path through the fake driver (build/libfakecuda.so: the
# real GPU consumer code, the user's kernel emulated) gives the same table,
# hash and summary line as the CPU path for several k and inputs, also when
# the GPU fails at any step (the CPU twin takes the batches back); --gpu
# without a driver, or with a GPU failing, exits 1; an output that is the
# input is refused. Prints PASS/FAIL/SKIP lines; exits nonzero on a failure.
set -u
B=${FQP_BUILD:-build}
PROG=$B/gpu_kmer
GEN=$B/fqgen
FAKE=$(cd "$B" && pwd)/libfakecuda.so
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-kmer.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
note() { sed 's/^/  /'; }
[ -x "$PROG" ] && [ -x "$GEN" ] || { echo "FAIL setup: build $PROG and $GEN first"; exit 1; }

# Reads of 0..120 bases with lowercase, N and IUPAC letters (they end a k-mer).
awk 'BEGIN { srand(23); alpha = "ACGTACGTACGTacgtNRY"
    for (r = 1; r <= 1500; r++) {
        len = int(rand() * 121); s = ""; q = ""
        for (k = 0; k < len; k++) { s = s substr(alpha, 1 + int(rand() * 19), 1); q = q "I" }
        printf "@r%d\n%s\n+\n%s\n", r, s, q
    } }' > "$tmp/mixed.fq"
"$GEN" -n 3000 -s 5 -l 100-2000 > "$tmp/long.fq"

# Canonical k-mer counts from the definition: uppercase, split at anything
# but ACGT, each k-mer or its reverse complement, whichever sorts first.
awk_count() { # K FILE
    awk -v k="$1" 'BEGIN { c["A"] = "T"; c["C"] = "G"; c["G"] = "C"; c["T"] = "A" }
        NR % 4 == 2 { s = toupper($0); n = split(s, part, /[^ACGT]+/)
            for (p = 1; p <= n; p++) { w = part[p]
                for (i = 1; i + k - 1 <= length(w); i++) { m = substr(w, i, k); r = ""
                    for (j = k; j >= 1; j--) r = r c[substr(m, j, 1)]
                    cnt[m < r ? m : r]++ } } }
        END { for (m in cnt) printf "%s\t%d\n", m, cnt[m] }' "$2" | LC_ALL=C sort
}

for k in 1 3 5; do
    awk_count "$k" "$tmp/mixed.fq" > "$tmp/want"
    "$PROG" --cpu -k "$k" -t 2 -o "$tmp/got" "$tmp/mixed.fq" > "$tmp/line" 2> "$tmp/err"; rc=$?
    if [ "$rc" = 0 ] && cmp -s "$tmp/want" "$tmp/got"; then pass "kmer:cpu-equals-awk-k$k"
    else fail "kmer:cpu-equals-awk-k$k"; { echo "exit $rc"; diff "$tmp/want" "$tmp/got" | head; cat "$tmp/err"; } | note; fi
done
# the summary line adds up the table
total=$(awk -F'\t' '{ t += $2 } END { print t }' "$tmp/want")
distinct=$(wc -l < "$tmp/want" | tr -d ' ')
if grep -Eqx "k=5 reads=1500 kmers=$total distinct=$distinct hash=[0-9a-f]{16}" "$tmp/line"; then pass kmer:summary
else fail kmer:summary; { echo "want kmers=$total distinct=$distinct"; cat "$tmp/line"; } | note; fi

if [ ! -f "$FAKE" ]; then
    echo "SKIP kmer:gpu: $FAKE not built"
else
    same() { # NAME FILE K ENV...: GPU (fake driver) against CPU, table and summary
        local name=$1 in=$2 k=$3 try ok=0; shift 3
        "$PROG" --cpu -k "$k" -t 2 -o "$tmp/cpu.tsv" "$in" > "$tmp/cpu.line" 2> /dev/null
        # equal every time; rerun (at most 5 times) until the GPU took batches:
        # under a sanitizer the CPU consumers may take them all
        for try in 1 2 3 4 5; do
            env FASTQPAR_CUDA_LIBRARY="$FAKE" FASTQPAR_BATCH_RECORDS=97 "$@" \
                "$PROG" -v -k "$k" -t 3 -o "$tmp/gpu.tsv" "$in" > "$tmp/gpu.line" 2> "$tmp/err"; rc=$?
            [ "$rc" = 0 ] && cmp -s "$tmp/cpu.tsv" "$tmp/gpu.tsv" && cmp -s "$tmp/cpu.line" "$tmp/gpu.line" || break
            if grep -Eq "GPU consumer 0 \(device 0\): [1-9][0-9]* batches" "$tmp/err"; then ok=1; break; fi
        done
        if [ "$ok" = 1 ]; then pass "$name"
        else fail "$name"; { echo "exit $rc (run $try)"; cat "$tmp/cpu.line" "$tmp/gpu.line" "$tmp/err"; } | note; fi
    }
    same kmer:gpu-equals-cpu-k5 "$tmp/mixed.fq" 5
    same kmer:gpu-equals-cpu-k11-long "$tmp/long.fq" 11
    # k = 13: 4^13 counters a consumer; under the sanitizers (FQP_TEST_QUICK) on the small input
    if [ "${FQP_TEST_QUICK:-0}" = 1 ]; then same kmer:gpu-equals-cpu-k13 "$tmp/mixed.fq" 13
    else same kmer:gpu-equals-cpu-k13 "$tmp/long.fq" 13; fi
    same kmer:gpu-immediate-mode "$tmp/long.fq" 7 FAKE_CUDA_DEFER=0
    same kmer:gpu-two-consumers "$tmp/long.fq" 9 FASTQPAR_GPU_CONSUMERS=2 FAKE_CUDA_DEVICES=2
    # every step failing: the batches the GPU held go back to the CPU twin
    # (the first of each: a GPU consumer always runs at least one group)
    for inj in FAKE_CUDA_FAIL_ALLOC_AT=3 FAKE_CUDA_FAIL_LAUNCH_AT=1 FAKE_CUDA_ASYNC_FAIL_AT=1 \
               FAKE_CUDA_FAIL_CALL=cuMemcpyDtoHAsync_v2:1 FAKE_CUDA_FAIL_CALL=cuMemcpyHtoDAsync_v2:1 \
               FAKE_CUDA_FAIL_CALL=cuEventSynchronize:1; do
        what=$(printf '%s' "${inj#FAKE_CUDA_}" | tr '=:' '--')
        "$PROG" --cpu -k 8 -t 2 -o "$tmp/cpu.tsv" "$tmp/long.fq" > "$tmp/cpu.line" 2> /dev/null
        env FASTQPAR_CUDA_LIBRARY="$FAKE" FASTQPAR_BATCH_RECORDS=97 "$inj" \
            "$PROG" -v -k 8 -t 3 -o "$tmp/gpu.tsv" "$tmp/long.fq" > "$tmp/gpu.line" 2> "$tmp/err"; rc=$?
        if [ "$rc" = 0 ] && cmp -s "$tmp/cpu.tsv" "$tmp/gpu.tsv" && cmp -s "$tmp/cpu.line" "$tmp/gpu.line" &&
            grep -Eq "batches handed back; failed: |no GPU consumer: " "$tmp/err"; then pass "kmer:gpu-fails-$what"
        else fail "kmer:gpu-fails-$what"; { echo "$inj exit $rc"; cat "$tmp/cpu.line" "$tmp/gpu.line" "$tmp/err"; } | note; fi
        # --gpu: the GPU is required, so the failure is the run's error, and -o is not written
        rm -f "$tmp/gpu.tsv"
        env FASTQPAR_CUDA_LIBRARY="$FAKE" FASTQPAR_BATCH_RECORDS=97 "$inj" \
            "$PROG" --gpu -k 8 -t 3 -o "$tmp/gpu.tsv" "$tmp/long.fq" > "$tmp/gpu.line" 2> "$tmp/err"; rc=$?
        if [ "$rc" = 1 ] && [ ! -s "$tmp/gpu.line" ] && [ ! -e "$tmp/gpu.tsv" ] && grep -q "GPU" "$tmp/err"
        then pass "kmer:gpu-required-fails-$what"
        else fail "kmer:gpu-required-fails-$what"; { echo "$inj exit $rc"; cat "$tmp/err"; } | note; fi
    done
fi
FASTQPAR_CUDA_LIBRARY=$tmp/no-libcuda.so.1 "$PROG" --gpu "$tmp/mixed.fq" > "$tmp/got" 2> "$tmp/err"; rc=$?
if [ "$rc" = 1 ] && [ ! -s "$tmp/got" ] && grep -q "no-libcuda.so.1" "$tmp/err"; then pass kmer:gpu-required
else fail kmer:gpu-required; { echo "exit $rc"; cat "$tmp/err"; } | note; fi
cp "$tmp/mixed.fq" "$tmp/keep.fq"
"$PROG" -k 3 -o "$tmp/mixed.fq" "$tmp/mixed.fq" > "$tmp/got" 2> "$tmp/err"; rc=$?
if [ "$rc" = 2 ] && cmp -s "$tmp/mixed.fq" "$tmp/keep.fq" && [ -s "$tmp/err" ]; then pass kmer:output-is-input
else fail kmer:output-is-input; { echo "exit $rc"; cat "$tmp/err"; } | note; fi
"$PROG" -k 14 "$tmp/mixed.fq" > "$tmp/got" 2> "$tmp/err"; rc=$?
if [ "$rc" = 2 ] && grep -q "^gpu_kmer: .*(see gpu_kmer --help)$" "$tmp/err"; then pass kmer:k-range
else fail kmer:k-range; { echo "exit $rc"; cat "$tmp/err"; } | note; fi
[ "$failed" -eq 0 ]
