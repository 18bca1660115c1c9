#!/usr/bin/env bash
# tests/test_examples.sh - the single-concept programs in examples/ do what
# their comments say, checked against references written here in awk and sh:
#   fqcnt            counts equal fqref's
#   ordered_writer   kept reads equal an awk length filter, in input order,
#                    plain and BGZF (gzip -dc gives the same text; BGZF
#                    header), for 1 and 2 threads with tiny batches
#   paired_filter    kept pairs equal an awk filter over R1/R2 in lockstep,
#                    both outputs in order, plain and BGZF; mate count and
#                    mate name errors name the file and record
#   manual_producer  records, bases, G+C equal fqref and awk, 1..3 threads
#   gpu_offload      trimmed totals equal an awk BWA-rule trimmer with no
#                    driver (falls back), FASTQPAR_FORCE_CPU, the fake
#                    driver (build/libfakecuda.so), the fake GPU failing
#                    mid-run; FASTQPAR_FORCE_GPU=1 without a driver exits 1
#   every one        malformed input: exit 1, the message names file,
#                    record and line; a missing file is named
# Prints PASS/FAIL/SKIP lines; exits nonzero on a failure.
set -u
B=${FQP_BUILD:-build}
FAKE=$(cd "$B" && pwd)/libfakecuda.so
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-examples.XXXXXX") || { echo "FAIL setup: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); [ -f "$tmp/err" ] && sed 's/^/  /' "$tmp/err" | head -5; }
# check NAME CMD...: pass when the command succeeds
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

# Inputs: single-line records of 1..250 bases; pairs named p<i>/1 (with a
# comment) and p<i>/2; a copy with a broken record 3 (no '+' line).
"$B/fqgen" -n 5000 -s 11 -l 1-250 > "$tmp/in.fq" || { echo "FAIL setup: fqgen"; exit 1; }
gzip -c "$tmp/in.fq" > "$tmp/in.fq.gz"
"$B/fqgen" -n 3000 -s 5 -l 1-220 | awk 'NR%4==1{$0="@p" (NR-1)/4 "/1 c" NR} 1' > "$tmp/r1.fq"
"$B/fqgen" -n 3000 -s 6 -l 20-180 | awk 'NR%4==1{$0="@p" (NR-1)/4 "/2"} 1' > "$tmp/r2.fq"
head -n 20 "$tmp/in.fq" | sed '11s/^+$/ACGT/' > "$tmp/bad.fq"
BAD_AT="bad.fq: record 3, line 13"

# expect_error NAME WANT CMD...: exit 1, nothing on stdout, WANT in stderr
expect_error() {
    local name=$1 want=$2; shift 2
    "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?
    if [ "$rc" = 1 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$want" "$tmp/err"; then pass "$name"
    else fail "$name" "exit $rc, want '$want' in stderr"; fi
}

# ---- fqcnt ----
"$B/fqref" -c "$tmp/in.fq" > "$tmp/want.cnt"
check fqcnt:counts sh -c "'$B/fqcnt' -t 2 '$tmp/in.fq.gz' | cmp -s - '$tmp/want.cnt'"
expect_error fqcnt:malformed "$BAD_AT" "$B/fqcnt" "$tmp/bad.fq"

# ---- ordered_writer ----
P=$B/ordered_writer
awk -v min=120 'NR%4==1{h=$0} NR%4==2{s=$0} NR%4==0{if (length(s) >= min) {print h; print s; print "+"; print $0; n++}}
     END{print n > "/dev/stderr"}' "$tmp/in.fq" > "$tmp/want.fq" 2> "$tmp/want.n"
kept=$(cat "$tmp/want.n")
for t in 1 2; do
    rm -f "$tmp/err"
    FASTQPAR_THREADS=$t FASTQPAR_BATCH_RECORDS=7 "$P" -m 120 "$tmp/in.fq" "$tmp/out.fq" 2> "$tmp/err"
    check "ordered_writer:plain:t$t" cmp -s "$tmp/want.fq" "$tmp/out.fq"
    FASTQPAR_THREADS=$t FASTQPAR_BATCH_RECORDS=7 "$P" -m 120 "$tmp/in.fq.gz" "$tmp/out.fq.gz" 2> "$tmp/err"
    check "ordered_writer:bgzf:t$t" sh -c "gzip -dc '$tmp/out.fq.gz' | cmp -s - '$tmp/want.fq'"
done
check ordered_writer:kept-count grep -qx "kept $kept of 5000 reads" "$tmp/err"
# BGZF: gzip member with FEXTRA and the "BC" subfield (bytes 12-13), 28-byte EOF block last
check ordered_writer:bgzf-header sh -c "[ \"\$(head -c 14 '$tmp/out.fq.gz' | od -An -tx1 | tr -d ' \n')\" = \
1f8b08040000000000ff06004243 ] && [ \"\$(tail -c 28 '$tmp/out.fq.gz' | od -An -tx1 | tr -d ' \n' | cut -c1-8)\" = 1f8b0804 ]"
expect_error ordered_writer:malformed "$BAD_AT" "$P" "$tmp/bad.fq" "$tmp/o.fq"
expect_error ordered_writer:missing-input "nope.fq: cannot open" "$P" "$tmp/nope.fq" "$tmp/o.fq"
expect_error ordered_writer:bad-output "$tmp/no/dir.fq: cannot create" "$P" "$tmp/in.fq" "$tmp/no/dir.fq"

# ---- paired_filter ----
P=$B/paired_filter
# both mates: at least m bases and sum of Q >= q * length
awk -v q=30 -v m=60 -v r2="$tmp/r2.fq" -v o1="$tmp/want1.fq" -v o2="$tmp/want2.fq" '
    BEGIN { for (i = 33; i < 127; i++) ord[sprintf("%c", i)] = i - 33 }
    function ok(s, qs,    k, t) { if (length(s) < m) return 0
        for (k = 1; k <= length(qs); k++) t += ord[substr(qs, k, 1)]
        return t >= q * length(s) }
    NR%4==1{h=$0} NR%4==2{s=$0}
    NR%4==0{ getline h2 < r2; getline s2 < r2; getline p2 < r2; getline q2 < r2; n++
        if (ok(s, $0) && ok(s2, q2)) { k++; print h "\n" s "\n+\n" $0 > o1; print h2 "\n" s2 "\n+\n" q2 > o2 } }
    END { print "kept " k " of " n " pairs" }' "$tmp/r1.fq" > "$tmp/want.pf"
for t in 1 2; do
    rm -f "$tmp/err"
    FASTQPAR_THREADS=$t FASTQPAR_BATCH_RECORDS=7 "$P" -q 30 -m 60 "$tmp/r1.fq" "$tmp/r2.fq" "$tmp/o1.fq" "$tmp/o2.fq" \
        2> "$tmp/err"
    check "paired_filter:plain:t$t" sh -c "cmp -s '$tmp/want1.fq' '$tmp/o1.fq' && cmp -s '$tmp/want2.fq' '$tmp/o2.fq' &&
        cmp -s '$tmp/want.pf' '$tmp/err'"
done
FASTQPAR_BATCH_RECORDS=7 "$P" -q 30 -m 60 "$tmp/r1.fq" "$tmp/r2.fq" "$tmp/o1.fq.gz" "$tmp/o2.fq.gz" 2> "$tmp/err"
check paired_filter:bgzf sh -c "gzip -dc '$tmp/o1.fq.gz' | cmp -s - '$tmp/want1.fq' &&
    gzip -dc '$tmp/o2.fq.gz' | cmp -s - '$tmp/want2.fq'"
# the filter must matter: some pairs kept, some dropped
check paired_filter:filters sh -c "[ -s '$tmp/want1.fq' ] && [ \$(wc -l < '$tmp/want1.fq') -lt 12000 ]"
head -n 11996 "$tmp/r2.fq" > "$tmp/r2short.fq"
expect_error paired_filter:mate-count \
    "$tmp/r2short.fq ends after 2999 records, but $tmp/r1.fq has more: its record 3000 has no mate" \
    "$P" "$tmp/r1.fq" "$tmp/r2short.fq" "$tmp/o1.fq" "$tmp/o2.fq"
sed '4001s/^@p1000/@px/' "$tmp/r2.fq" > "$tmp/r2bad.fq"
expect_error paired_filter:mate-name "$tmp/r1.fq: record 1001: mate names differ: \"p1000/1\" in $tmp/r1.fq, \"px/2\" in $tmp/r2bad.fq" \
    "$P" "$tmp/r1.fq" "$tmp/r2bad.fq" "$tmp/o1.fq" "$tmp/o2.fq"
expect_error paired_filter:malformed "$BAD_AT" "$P" -m 0 -q 0 "$tmp/bad.fq" "$tmp/bad.fq" "$tmp/o1.fq" "$tmp/o2.fq"
expect_error paired_filter:bad-output "$tmp/no/o2.fq: cannot create" \
    "$P" "$tmp/r1.fq" "$tmp/r2.fq" "$tmp/o1.fq" "$tmp/no/o2.fq"

# ---- manual_producer ----
P=$B/manual_producer
awk 'NR%4==2 { n++; b += length($0); g += gsub(/[GCgc]/, "") } END { printf "%d\t%d\t%d\n", n, b, g }' \
    "$tmp/in.fq" > "$tmp/want.mp"
check manual_producer:reference-agrees sh -c "[ \"\$(cut -f1,2 '$tmp/want.mp')\" = \"\$(cut -f1,2 '$tmp/want.cnt')\" ]"
for t in 1 3; do
    check "manual_producer:t$t" sh -c "FASTQPAR_BATCH_RECORDS=13 '$P' -t $t '$tmp/in.fq' | cmp -s - '$tmp/want.mp'"
done
check manual_producer:gzip sh -c "'$P' '$tmp/in.fq.gz' | cmp -s - '$tmp/want.mp'"
check manual_producer:stdin sh -c "'$P' < '$tmp/in.fq' | cmp -s - '$tmp/want.mp'"
expect_error manual_producer:malformed "$BAD_AT" "$P" -t 3 "$tmp/bad.fq"
expect_error manual_producer:missing-input "nope.fq: cannot open" "$P" "$tmp/nope.fq"

# ---- gpu_offload ----
P=$B/gpu_offload
# BWA rule (as fastqpar.h documents it): s_k = sum over j >= k of (q - q_j)
# from the 3' end down, stop at the first s_k < 0, cut where s_k was largest.
awk -v q=30 'BEGIN { for (i = 33; i < 127; i++) ord[sprintf("%c", i)] = i - 33 }
    NR%4==0 { n++; len = length($0); s = 0; best = 0; end = len
        for (k = len; k >= 1; k--) { s += q - ord[substr($0, k, 1)]; if (s < 0) break; if (s > best) { best = s; end = k - 1 } }
        kept += end; empty += end == 0 }
    END { printf "reads\t%d\nbases_kept\t%d\nreads_emptied\t%d\n", n, kept, empty }' "$tmp/in.fq" > "$tmp/want.go"
check gpu_offload:trims-something sh -c "! grep -qx \"bases_kept	\$(cut -f2 '$tmp/want.cnt')\" '$tmp/want.go'"
NODRV=$tmp/no-libcuda.so.1
go() { # go NAME ENV...: stdout equals the awk answer
    local name=$1; shift
    env FASTQPAR_BATCH_RECORDS=97 "$@" "$P" -v -q 30 "$tmp/in.fq" > "$tmp/out" 2> "$tmp/err"; rc=$?
    if [ "$rc" = 0 ] && cmp -s "$tmp/want.go" "$tmp/out"; then pass "$name"; else fail "$name" "exit $rc"; fi
}
batches=$(( (5000 + 96) / 97 ))
go gpu_offload:no-driver-falls-back FASTQPAR_CUDA_LIBRARY="$NODRV"
check gpu_offload:no-driver-says-why grep -q "trimming on the CPU: .*no-libcuda.so.1" "$tmp/err"
go gpu_offload:force-cpu FASTQPAR_FORCE_CPU=1 FASTQPAR_CUDA_LIBRARY="$FAKE"
check gpu_offload:force-cpu-says-why grep -q "trimming on the CPU: .*FASTQPAR_FORCE_CPU" "$tmp/err"
if [ -f "$FAKE" ]; then
    go gpu_offload:fake-gpu FASTQPAR_CUDA_LIBRARY="$FAKE" FASTQPAR_THREADS=2
    check gpu_offload:fake-gpu-did-all grep -qx "gpu_offload: $batches batches trimmed on the GPU, 0 on the CPU after a GPU failure" "$tmp/err"
    go gpu_offload:fake-gpu-fails-mid-run FASTQPAR_CUDA_LIBRARY="$FAKE" FAKE_CUDA_FAIL_LAUNCH_AT=5 FASTQPAR_THREADS=2
    split=$(sed -n 's/^gpu_offload: \([0-9]*\) batches trimmed on the GPU, \([1-9][0-9]*\) on the CPU after a GPU failure$/\1 \2/p' "$tmp/err")
    if [ -n "$split" ] && [ $((${split% *} + ${split#* })) = "$batches" ]; then pass gpu_offload:fake-gpu-failure-counted
    else fail gpu_offload:fake-gpu-failure-counted "want GPU + CPU batches = $batches, some on the CPU"; fi
else
    echo "SKIP gpu_offload:fake-gpu: $FAKE not built"
fi
expect_error gpu_offload:gpu-required "no-libcuda.so.1" env FASTQPAR_FORCE_GPU=1 FASTQPAR_CUDA_LIBRARY="$NODRV" \
    "$P" "$tmp/in.fq"
expect_error gpu_offload:malformed "$BAD_AT" env FASTQPAR_CUDA_LIBRARY="$NODRV" "$P" "$tmp/bad.fq"

[ "$failed" -eq 0 ]
