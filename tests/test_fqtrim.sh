#!/usr/bin/env bash
# fqtrim against an independent implementation written here in awk (BWA -q
# rule as cutadapt has it, Trimmomatic's sliding window, minimum length,
# maximum N fraction, pair keep/drop rules), for single-end, paired and
# interleaved input; 1 vs N threads byte for byte; gzip and BGZF output
# (bgzip -t / bgzip -d); mate count and name errors; write errors; --json.
set -u
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-trim.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
T="$B/fqtrim"

# Paired input from fqgen: qualities drop towards the 3' end; names p<i>/1, p<i>/2.
"$B/fqgen" -n 3000 -s 5 -l 1-220 | awk 'NR%4==1{$0="@p" (NR-1)/4 "/1 c" NR} 1' > "$tmp/r1.fq"
"$B/fqgen" -n 3000 -s 6 -l 20-180 | awk 'NR%4==1{$0="@p" (NR-1)/4 "/2"} 1' > "$tmp/r2.fq"
paste -d'\n' <(paste - - - - < "$tmp/r1.fq") <(paste - - - - < "$tmp/r2.fq") | tr '\t' '\n' > "$tmp/il.fq"

# The reference: reads R1 (and R2 through getline), writes the expected
# outputs. mode: bwa | window | none; q threshold (q5: the 5' one, bwa),
# w window, m min length, maxn N count (>= 1) or fraction (< 1; -1: none).
# Paired: both pass -> o1/o2; one passes -> un.
cat > "$tmp/ref.awk" <<'EOF'
BEGIN { for (i = 33; i < 127; i++) ord[sprintf("%c", i)] = i - 33 }
function phred(s, k) { return ord[substr(s, k, 1)] }
# BWA: s_k = sum over j >= k of (q - q_j), from the 3' end down; stop at
# the first negative; cut where it was largest (> 0), nearest the 3' end.
function bwa_end(qs, n,    k, s, best, end) {
    s = 0; best = 0; end = n
    for (k = n; k >= 1; k--) {
        s += q - phred(qs, k)
        if (s < 0) break
        if (s > best) { best = s; end = k - 1 }
    }
    return end
}
# cutadapt's 5' cut: the same sums from the 5' end; the start after the maximum.
function bwa_start(qs, n,    k, s, best, st) {
    s = 0; best = 0; st = 0
    for (k = 1; k <= n; k++) {
        s += q5 - phred(qs, k)
        if (s < 0) break
        if (s > best) { best = s; st = k }
    }
    return st
}
# Sliding window (Trimmomatic: an uppercase N scores 0): the first window
# (from the 5' end) whose mean < q ends the read where the window before it
# ended; then low bases at the end go.
function tq(s, qs, k) { return substr(s, k, 1) == "N" ? 0 : phred(qs, k) }
function window_end(s, qs, n,    i, k, sum, end) {
    if (n < w) return 0
    end = n
    for (i = 1; i + w - 1 <= n; i++) {
        sum = 0
        for (k = i; k < i + w; k++) sum += tq(s, qs, k)
        if (sum < q * w) { end = (i == 1) ? 0 : i - 2 + w; break }
    }
    if (end == 0) return 0
    while (end > 0 && tq(s, qs, end) < q) end--
    return end
}
function judge(h, s, qs,    n, b, e, k, nn, t) {
    n = length(s); b = 0
    e = mode == "bwa" ? bwa_end(qs, n) : mode == "window" ? window_end(s, qs, n) : n
    if (mode == "bwa" && q5 > 0) { b = bwa_start(qs, n); if (b >= e) { b = 0; e = 0 } }
    T_seq = substr(s, b + 1, e - b); T_qual = substr(qs, b + 1, e - b)
    T_rec = h "\n" T_seq "\n+\n" T_qual
    if (e - b < m || (mode == "window" && e == 0)) return 0
    nn = 0
    for (k = b + 1; k <= e; k++) { t = substr(s, k, 1); if (t == "N" || t == "n") nn++ }
    if (maxn >= 1 && nn > maxn) return 0
    if (maxn >= 0 && maxn < 1 && e > b && nn / (e - b) > maxn) return 0
    return 1
}
{
    h = $0; getline s; getline p; getline qs
    ok1 = judge(h, s, qs); rec1 = T_rec
    if (r2 == "") { if (ok1) print rec1 > o1; next }
    getline h2 < r2; getline s2 < r2; getline p2 < r2; getline q2 < r2
    ok2 = judge(h2, s2, q2); rec2 = T_rec
    if (ok1 && ok2) { print rec1 > o1; print rec2 > o2 }
    else { if (ok1) print rec1 > un; if (ok2) print rec2 > un }
}
EOF
ref() { # ref MODE Q W M MAXN R1 [R2]: expected files in $tmp/e1 e2 eu; Q may be Q5,Q3
    : > "$tmp/e1"; : > "$tmp/e2"; : > "$tmp/eu"
    local q3=${2#*,} q5=0
    [ "$2" != "$q3" ] && q5=${2%,*}
    awk -v mode="$1" -v q="$q3" -v q5="$q5" -v w="$3" -v m="$4" -v maxn="$5" -v r2="${7:-}" \
        -v o1="$tmp/e1" -v o2="$tmp/e2" -v un="$tmp/eu" -f "$tmp/ref.awk" "$6"
}
same() { cmp -s "$1" "$2"; }

# single-end, each rule, several thresholds
for args in "bwa 20 0 30 -1" "bwa 30 0 0 1" "bwa 10,25 0 0 2" "bwa 30,20 0 5 0.03" "window 25 4 20 0.05" \
            "window 20 10 0 -1" "none 0 0 50 0.02"; do
    set -- $args
    opts=""
    [ "$1" = bwa ] && opts="-q $2"
    [ "$1" = window ] && opts="-q $2 --window $3"
    nopt=""; [ "$5" != -1 ] && nopt="--max-n $5"
    ref "$1" "$2" "$3" "$4" "$5" "$tmp/r1.fq"
    "$T" $opts -m "$4" $nopt -t 3 --quiet -o "$tmp/o1.fq" "$tmp/r1.fq" 2> "$tmp/err"
    if same "$tmp/o1.fq" "$tmp/e1" && [ -s "$tmp/e1" ]; then pass "single-$1-q$2-w$3-m$4-n$5"
    else bad "single-$1-q$2-w$3-m$4-n$5" "$(cmp "$tmp/o1.fq" "$tmp/e1" 2>&1 | head -1) $(head -2 "$tmp/err")"; fi
done

# paired: a pair is kept or dropped together; the survivor of a pair goes to --unpaired
ref bwa 25 0 60 0.02 "$tmp/r1.fq" "$tmp/r2.fq"
"$T" -q 25 -m 60 --max-n 0.02 -t 2 --quiet -o "$tmp/p1.fq" -p "$tmp/p2.fq" --unpaired "$tmp/pu.fq" \
    "$tmp/r1.fq" "$tmp/r2.fq"
if same "$tmp/p1.fq" "$tmp/e1" && same "$tmp/p2.fq" "$tmp/e2" && same "$tmp/pu.fq" "$tmp/eu" && [ -s "$tmp/eu" ]; then
    pass paired-keep-drop-unpaired
else bad paired-keep-drop-unpaired "outputs differ from the reference"; fi
n1=$(grep -c '^@p' "$tmp/p1.fq"); n2=$(grep -c '^@p' "$tmp/p2.fq")
sync=$(paste <(awk 'NR%4==1{sub(/\/1$/,"",$1); print $1}' "$tmp/p1.fq") \
             <(awk 'NR%4==1{sub(/\/2$/,"",$1); print $1}' "$tmp/p2.fq") | awk '$1!=$2' | wc -l)
[ "$n1" = "$n2" ] && [ "$sync" = 0 ] && pass paired-in-sync || bad paired-in-sync "$n1 vs $n2 records, $sync differ"

# interleaved: one output (mates alternate) or split with -p
"$T" --interleaved -q 25 -m 60 --max-n 0.02 -t 3 --quiet -o "$tmp/i1.fq" -p "$tmp/i2.fq" --unpaired "$tmp/iu.fq" "$tmp/il.fq"
if same "$tmp/i1.fq" "$tmp/e1" && same "$tmp/i2.fq" "$tmp/e2" && same "$tmp/iu.fq" "$tmp/eu"; then pass interleaved-split
else bad interleaved-split "outputs differ from the reference"; fi
"$T" --interleaved -q 25 -m 60 --max-n 0.02 -t 3 --quiet -o "$tmp/io.fq" "$tmp/il.fq"
paste -d'\n' <(paste - - - - < "$tmp/e1") <(paste - - - - < "$tmp/e2") | tr '\t' '\n' > "$tmp/eil"
same "$tmp/io.fq" "$tmp/eil" && pass interleaved-one-output || bad interleaved-one-output "differs from the reference"

# compressed output: 1 and N threads byte for byte; BGZF valid; same text
for ext in gz bgz; do
    "$T" -q 20 -m 30 -t 1 --quiet -o "$tmp/c1.$ext" -p "$tmp/c2.$ext" "$tmp/r1.fq" "$tmp/r2.fq"
    "$T" -q 20 -m 30 -t 4 --quiet -o "$tmp/d1.$ext" -p "$tmp/d2.$ext" "$tmp/r1.fq" "$tmp/r2.fq"
    "$T" -q 20 -m 30 -t 4 --quiet -o "$tmp/plain1.fq" -p "$tmp/plain2.fq" "$tmp/r1.fq" "$tmp/r2.fq"
    if cmp -s "$tmp/c1.$ext" "$tmp/d1.$ext" && cmp -s "$tmp/c2.$ext" "$tmp/d2.$ext"; then pass "threads-identical-$ext"
    else bad "threads-identical-$ext" "1 and 4 threads differ"; fi
    gzip -dc "$tmp/d1.$ext" | cmp -s - "$tmp/plain1.fq" && pass "gunzip-$ext" || bad "gunzip-$ext" "text differs"
done
if command -v bgzip > /dev/null; then
    if bgzip -t "$tmp/d1.bgz" 2> "$tmp/err" && bgzip -t "$tmp/d2.bgz" 2>> "$tmp/err"; then pass bgzip-t
    else bad bgzip-t "$(cat "$tmp/err")"; fi
    bgzip -dc "$tmp/d2.bgz" | cmp -s - "$tmp/plain2.fq" && pass bgzip-d || bad bgzip-d "text differs"
    # a multi-member BGZF that bgzip wrote reads back as the same records
    bgzip -c "$tmp/r1.fq" > "$tmp/r1.bgz"
    "$T" -q 20 -m 30 --quiet -o "$tmp/b1.fq" "$tmp/r1.bgz" && ref bwa 20 0 30 -1 "$tmp/r1.fq" &&
        same "$tmp/b1.fq" "$tmp/e1" && pass bgzip-input || bad bgzip-input "differs"
else
    echo "SKIP bgzip-t: bgzip not installed (Debian package tabix)"
fi
# errors: counts, names, a full disk, a missing input
head -n $((4 * 2999)) "$tmp/r2.fq" > "$tmp/short2.fq"
if "$T" -o "$tmp/x1" -p "$tmp/x2" "$tmp/r1.fq" "$tmp/short2.fq" 2> "$tmp/err"; then bad count-mismatch "exit 0"
elif grep -q "short2.fq ends after 2999 records, but .*r1.fq has more: its record 3000 has no mate" "$tmp/err"; then
    pass count-mismatch
else bad count-mismatch "$(cat "$tmp/err")"; fi
sed '4001s/^@p1000\/2/@q1000\/2/' "$tmp/r2.fq" > "$tmp/bad2.fq"
if "$T" -o "$tmp/x1" -p "$tmp/x2" "$tmp/r1.fq" "$tmp/bad2.fq" 2> "$tmp/err"; then bad name-mismatch "exit 0"
elif grep -q 'record 1001: mate names differ: "p1000/1" in .*r1.fq, "q1000/2" in .*bad2.fq' "$tmp/err"; then
    pass name-mismatch
else bad name-mismatch "$(cat "$tmp/err")"; fi
"$T" --no-name-check --quiet -o "$tmp/x1" -p "$tmp/x2" "$tmp/r1.fq" "$tmp/bad2.fq" && pass no-name-check ||
    bad no-name-check "failed"
head -n $((4 * 11)) "$tmp/il.fq" > "$tmp/odd2.fq"
if "$T" --interleaved -o "$tmp/x1" "$tmp/odd2.fq" 2> "$tmp/err"; then bad interleaved-odd-count "exit 0"
elif grep -q "odd number of records (11) in interleaved input: record 11 has no mate" "$tmp/err"; then
    pass interleaved-odd-count
else bad interleaved-odd-count "$(cat "$tmp/err")"; fi
if [ -w /dev/full ]; then
    if "$T" -q 20 -o /dev/full "$tmp/r1.fq" 2> "$tmp/err"; then bad write-error "exit 0 writing to /dev/full"
    elif grep -q "/dev/full: .*No space left on device" "$tmp/err"; then pass write-error
    else bad write-error "$(cat "$tmp/err")"; fi
fi
# a closed pipe: killed by SIGPIPE as cat is (141), quietly (issue 13; before: a message)
"$T" -q 20 -o - "$tmp/r1.fq" 2> "$tmp/err" | head -c 100 > /dev/null
st=${PIPESTATUS[0]}
if [ "$st" = 141 ] && [ ! -s "$tmp/err" ]; then pass closed-pipe
else bad closed-pipe "status $st: $(cat "$tmp/err")"; fi

# --json: a valid object with the counts of the summary
"$T" -q 25 -m 60 --max-n 0.02 -o "$tmp/p1.fq" -p "$tmp/p2.fq" --unpaired "$tmp/pu.fq" --json "$tmp/r.json" \
    "$tmp/r1.fq" "$tmp/r2.fq" 2> "$tmp/summary"
pairs_out=$(grep -c '^@p' "$tmp/p1.fq")
if command -v python3 > /dev/null; then
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["pairs_in"], d["pairs_written"], d["reads_in"], d["mode"])' "$tmp/r.json")
else
    got="$(grep -o '"pairs_in": [0-9]*' "$tmp/r.json" | grep -o '[0-9]*$') $(grep -o '"pairs_written": [0-9]*' "$tmp/r.json" | grep -o '[0-9]*$') $(grep -o '"reads_in": [0-9]*' "$tmp/r.json" | grep -o '[0-9]*$') paired"
fi
[ "$got" = "3000 $pairs_out 6000 paired" ] && pass json || bad json "got '$got'"
grep -q "pairs written: *$pairs_out " "$tmp/summary" && pass summary || bad summary "$(cat "$tmp/summary")"
# no progress line when stderr is not a terminal
grep -q 'reads/s' "$tmp/summary" && bad no-progress-when-not-a-tty "progress printed" || pass no-progress-when-not-a-tty

# the Debian seqkit-examples paired files
R=/usr/share/doc/seqkit-examples/tests
if [ -f "$R/reads_1.fq.gz" ] && command -v bgzip > /dev/null; then
    "$T" -q 20 -m 30 -t 4 --quiet -o "$tmp/s1.fq.bgz" -p "$tmp/s2.fq.bgz" "$R/reads_1.fq.gz" "$R/reads_2.fq.gz"
    sync=$(paste <(bgzip -dc "$tmp/s1.fq.bgz" | awk 'NR%4==1{print $1}') \
                 <(bgzip -dc "$tmp/s2.fq.bgz" | awk 'NR%4==1{print $1}') | awk '$1!=$2' | wc -l)
    n=$(bgzip -dc "$tmp/s1.fq.bgz" | awk 'END{print NR/4}')
    if bgzip -t "$tmp/s1.fq.bgz" && bgzip -t "$tmp/s2.fq.bgz" && [ "$sync" = 0 ] && [ "$n" -gt 2000 ]; then
        pass seqkit-examples-paired
    else bad seqkit-examples-paired "$n pairs, $sync out of sync"; fi
else
    echo "SKIP seqkit-examples-paired: seqkit-examples or bgzip not installed"
fi
# the README's paired example compiles and runs on the seqkit-examples files
tests/doc_example.sh readme:paired-example > "$tmp/paired_example.c"
if ${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -I. -o "$tmp/paired_example" "$tmp/paired_example.c" \
       -lz -lpthread 2> "$tmp/err"; then
    if [ -f "$R/reads_1.fq.gz" ]; then
        cp "$R/reads_1.fq.gz" "$R/reads_2.fq.gz" "$tmp/" &&
            (cd "$tmp" && ./paired_example) && gzip -t "$tmp/out_1.fq.bgz" && pass readme-paired-example ||
            bad readme-paired-example "did not run"
    else pass readme-paired-example; fi
else bad readme-paired-example "does not compile: $(head -5 "$tmp/err")"; fi
# a progress line on a terminal for a run longer than 2 s (script gives a pty;
# the FIFO pauses 3 s mid-input), for fqtrim and fqstats
if command -v script > /dev/null && mkfifo "$tmp/slow"; then
    for tool in fqtrim fqstats; do
        args="-q 20 -o $tmp/x.fq"; [ $tool = fqstats ] && args=""
        ( head -n 8000 "$tmp/r1.fq"; sleep 3; tail -n +8001 "$tmp/r1.fq" ) > "$tmp/slow" &
        script -qec "$B/$tool $args $tmp/slow" /dev/null > "$tmp/tty.out" 2>&1; wait
        if grep -q "$tool: [0-9.]* MB read, [0-9]* reads/s" "$tmp/tty.out"; then pass "progress-on-tty-$tool"
        else bad "progress-on-tty-$tool" "$(head -c 300 "$tmp/tty.out")"; fi
    done
else
    echo "SKIP progress-on-tty: script (util-linux) not installed"
fi
# htslib's own BGZF reader: the EOF block, the block format, the same text
if [ -f /usr/include/htslib/bgzf.h ]; then
    cat > "$tmp/hts_bgzf.c" <<'EOF2'
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <stdio.h>
int main(int argc, char **argv) {
    char buf[65536];
    ssize_t n;
    BGZF *f = bgzf_open(argv[1], "r");
    if (!f) return 2;
    if (bgzf_compression(f) != bgzf) return fprintf(stderr, "not BGZF\n"), 3;
    if (bgzf_check_EOF(f) != 1) return fprintf(stderr, "no EOF block\n"), 4;
    while ((n = bgzf_read(f, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
    if (n < 0) return fprintf(stderr, "read error\n"), 5;
    return bgzf_close(f) != 0;
}
EOF2
    if ${CC:-cc} -o "$tmp/hts_bgzf" "$tmp/hts_bgzf.c" -lhts 2> "$tmp/err"; then
        if "$tmp/hts_bgzf" "$tmp/d1.bgz" > "$tmp/hts.out" 2> "$tmp/err" && cmp -s "$tmp/hts.out" "$tmp/plain1.fq"; then
            pass htslib-bgzf-read
        else bad htslib-bgzf-read "$(cat "$tmp/err")"; fi
    else echo "SKIP htslib-bgzf-read: cannot link -lhts"; fi
else
    echo "SKIP htslib-bgzf-read: htslib headers not installed (libhts-dev)"
fi
# ---- the GPU path: fqp_cuda_trim_batch through the fake driver (build/libfakecuda.so:
# the real offload code, the fqp_k_trim kernel under emulation) must write the same
# bytes as --cpu. FQP_TEST_QUICK=1 (sanitizer passes): fewer fake-GPU runs.
FAKE=$(cd "$B" && pwd)/libfakecuda.so
quick=${FQP_TEST_QUICK:-0}
gpu_cmp() { # gpu_cmp NAME FILES...: each $tmp/g.F equals $tmp/c.F
    local name=$1 f; shift
    for f in "$@"; do
        cmp -s "$tmp/c.$f" "$tmp/g.$f" || { bad "$name" "$f differs between --cpu and the GPU"; return 1; }
    done
    return 0
}
gpu_case() { # gpu_case KIND RULE EXT: --cpu vs fake GPU, small batches, 3 threads
    local kind=$1 rule=$2 ext=$3 io outs name="gpu-vs-cpu-$1-$2-$3" rc
    local opts="-q 22"
    [ "$rule" = window ] && opts="-q 25 --window 5"
    case $kind in
        single) io="-o @1.$ext $tmp/r1.fq"; outs="1.$ext" ;;
        paired) io="-o @1.$ext -p @2.$ext --unpaired @u.$ext $tmp/r1.fq $tmp/r2.fq"; outs="1.$ext 2.$ext u.$ext" ;;
        interleaved) io="--interleaved -o @1.$ext -p @2.$ext --unpaired @u.$ext $tmp/il.fq"; outs="1.$ext 2.$ext u.$ext" ;;
    esac
    FASTQPAR_BATCH_RECORDS=53 "$T" $opts -m 40 -t 3 --cpu --quiet ${io//@/$tmp/c.}
    FASTQPAR_BATCH_RECORDS=53 FASTQPAR_CUDA_LIBRARY=$FAKE "$T" $opts -m 40 -t 3 --gpu -v --json "$tmp/g.json" \
        ${io//@/$tmp/g.} 2> "$tmp/gerr"; rc=$?
    if [ "$rc" != 0 ]; then bad "$name" "exit $rc: $(head -3 "$tmp/gerr")"; return; fi
    grep -q '"path": "gpu"' "$tmp/g.json" || { bad "$name" "JSON path: $(grep path "$tmp/g.json")"; return; }
    grep -q '^fqtrim: GPU path: ' "$tmp/gerr" || { bad "$name" "no GPU path line: $(head -2 "$tmp/gerr")"; return; }
    grep -q 'trimmed on: *GPU ([1-9][0-9]* batches)$' "$tmp/gerr" || { bad "$name" "summary: $(grep trimmed "$tmp/gerr")"; return; }
    gpu_cmp "$name" $outs && pass "$name"
}
if [ ! -f "$FAKE" ]; then
    echo "SKIP gpu-vs-cpu: $FAKE not built (make $B/libfakecuda.so)"
else
    if [ "$quick" = 1 ]; then
        gpu_case single bwa bgz; gpu_case paired window gz; gpu_case interleaved bwa fq
    else
        for kind in single paired interleaved; do
            for rule in bwa window; do
                for ext in fq gz bgz; do gpu_case "$kind" "$rule" "$ext"; done
            done
        done
    fi

    # a GPU failing mid-run (or when a worker is set up): the same output, a warning,
    # the JSON says so; under --gpu: exit 1 with the driver's error
    fails=("FAKE_CUDA_FAIL_LAUNCH_AT=4" "FAKE_CUDA_ASYNC_FAIL_AT=3" "FAKE_CUDA_FAIL_CALL=cuMemcpyDtoHAsync_v2:2"
           "FAKE_CUDA_FAIL_ALLOC_AT=1")
    [ "$quick" = 1 ] && fails=("FAKE_CUDA_FAIL_LAUNCH_AT=4")
    FASTQPAR_BATCH_RECORDS=53 "$T" -q 22 -m 40 -t 3 --cpu --quiet -o "$tmp/c.1.bgz" -p "$tmp/c.2.gz" \
        --unpaired "$tmp/c.u.fq" "$tmp/r1.fq" "$tmp/r2.fq"
    for inj in "${fails[@]}"; do
        name="gpu-fails-${inj%%=*}"
        env "$inj" FASTQPAR_BATCH_RECORDS=53 FASTQPAR_CUDA_LIBRARY=$FAKE "$T" -q 22 -m 40 -t 3 --json "$tmp/g.json" \
            -o "$tmp/g.1.bgz" -p "$tmp/g.2.gz" --unpaired "$tmp/g.u.fq" "$tmp/r1.fq" "$tmp/r2.fq" 2> "$tmp/gerr"; rc=$?
        if [ "$rc" != 0 ]; then bad "$name" "exit $rc: $(head -3 "$tmp/gerr")"
        elif ! grep -q '^fqtrim: warning: GPU worker [0-9]* failed: .* its batches run on the CPU from now on$' "$tmp/gerr"; then
            bad "$name" "no warning: $(cat "$tmp/gerr")"
        elif ! grep -q '"path": "gpu+cpu"' "$tmp/g.json" || ! grep -q '"gpu_failed": true' "$tmp/g.json" ||
             grep -q '"cpu_fallback_batches": 0,' "$tmp/g.json"; then
            bad "$name" "JSON: $(grep -E 'path|gpu|cpu_' "$tmp/g.json" | tr -d '\n')"
        elif gpu_cmp "$name" 1.bgz 2.gz u.fq; then pass "$name"; fi
        env "$inj" FASTQPAR_BATCH_RECORDS=53 FASTQPAR_CUDA_LIBRARY=$FAKE "$T" --gpu -q 22 -m 40 -t 3 --quiet \
            -o "$tmp/g.1.bgz" -p "$tmp/g.2.gz" "$tmp/r1.fq" "$tmp/r2.fq" 2> "$tmp/gerr"; rc=$?
        if [ "$rc" = 1 ] && grep -q '^fqtrim: .*GPU required (FQP_GPU_FORCE) but GPU worker [0-9]* failed: .*CUDA_ERROR' "$tmp/gerr"
        then pass "$name-under-gpu"
        else bad "$name-under-gpu" "exit $rc: $(cat "$tmp/gerr")"; fi
    done
fi

# no driver: --gpu (and FASTQPAR_FORCE_GPU=1) exit 1 with the reason; the default
# and --cpu run on the CPU, saying so, with the same output
nolib=/nonexistent/libcuda.so.1
FASTQPAR_CUDA_LIBRARY=$nolib "$T" --gpu -q 22 -o "$tmp/x.fq" "$tmp/r1.fq" 2> "$tmp/gerr"; rc=$?
if [ "$rc" = 1 ] && grep -q "^fqtrim: GPU required (mode FQP_GPU_FORCE) but unusable: no CUDA driver: cannot load $nolib" "$tmp/gerr" &&
   [ "$(wc -l < "$tmp/gerr")" = 1 ]; then pass gpu-without-driver
else bad gpu-without-driver "exit $rc: $(cat "$tmp/gerr")"; fi
FASTQPAR_FORCE_GPU=1 FASTQPAR_CUDA_LIBRARY=$nolib "$T" -q 22 -o "$tmp/x.fq" "$tmp/r1.fq" 2> "$tmp/gerr"; rc=$?
if [ "$rc" = 1 ] && grep -q "GPU required (FASTQPAR_FORCE_GPU=1) but unusable" "$tmp/gerr"; then pass force-gpu-env-without-driver
else bad force-gpu-env-without-driver "exit $rc: $(cat "$tmp/gerr")"; fi
"$T" -q 22 -m 40 --cpu --quiet -o "$tmp/c.s.fq" "$tmp/r1.fq"
FASTQPAR_CUDA_LIBRARY=$nolib "$T" -q 22 -m 40 -v --json "$tmp/a.json" -o "$tmp/a.s.fq" "$tmp/r1.fq" 2> "$tmp/gerr"; rc=$?
if [ "$rc" = 0 ] && grep -q "^fqtrim: CPU path: .*no usable GPU: no CUDA driver: cannot load $nolib" "$tmp/gerr" &&
   grep -q 'trimmed on: *CPU$' "$tmp/gerr" && grep -q '"path": "cpu"' "$tmp/a.json" && cmp -s "$tmp/c.s.fq" "$tmp/a.s.fq"
then pass auto-without-driver-cpu
else bad auto-without-driver-cpu "exit $rc: $(cat "$tmp/gerr")"; fi
# without -v nothing is said about the GPU: the summary alone (9 lines), no path line
FASTQPAR_CUDA_LIBRARY=$nolib "$T" -q 22 -m 40 -o "$tmp/a.s.fq" "$tmp/r1.fq" 2> "$tmp/gerr"; rc=$?
if [ "$rc" = 0 ] && ! grep -qi 'gpu\|path' "$tmp/gerr" && [ "$(wc -l < "$tmp/gerr")" = 9 ] &&
   [ "$(sed -n 2p "$tmp/gerr")" = "  trimmed on:        CPU" ]; then pass no-gpu-line-without-v
else bad no-gpu-line-without-v "exit $rc: $(cat "$tmp/gerr")"; fi
for how in "--cpu" "FASTQPAR_FORCE_CPU=1"; do
    if [ "$how" = --cpu ]; then set -- "$T" --cpu; else set -- env FASTQPAR_FORCE_CPU=1 "$T"; fi
    FASTQPAR_CUDA_LIBRARY=$FAKE "$@" -q 22 -m 40 -v -o "$tmp/a.s.fq" "$tmp/r1.fq" 2> "$tmp/gerr"; rc=$?
    if [ "$rc" = 0 ] && grep -q '^fqtrim: CPU path: .*GPU off (--cpu or FASTQPAR_FORCE_CPU=1)$' "$tmp/gerr" &&
       cmp -s "$tmp/c.s.fq" "$tmp/a.s.fq"; then pass "cpu-path-$how"
    else bad "cpu-path-$how" "exit $rc: $(cat "$tmp/gerr")"; fi
done
exit $fail
