#!/usr/bin/env bash
# fqstats --shard I/N: for N = 1..7 the shards' counts merge to exactly the
# single run's output (-a -T, --per-position, --fastqc-data) on plain, BGZF and
# ordinary gzip (whole, to shard k mod N) inputs, generated and real; stdin
# goes whole to shard 0; wrapped FASTQ and bad I/N are refused.
set -u
B=${FQP_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fqp-shard.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }
S=/usr/share/doc/seqkit-examples/tests
cd "$tmp" || exit 1
"$B/fqgen" -n 3000 -s 31 -l 0-300 --empty-every 23 > var.fq
"$B/fqgen" -n 2000 -s 32 -l 100 --crlf > crlf.fq
"$B/fqgen" -n 200 -s 33 -l 2000-9000 > long.fq
gzip -c var.fq > var.fq.gz
inputs="var.fq crlf.fq long.fq var.fq.gz"
if command -v bgzip > /dev/null; then bgzip -c var.fq > var.bgzf.gz; inputs="$inputs var.bgzf.gz"
else echo "SKIP shard-bgzip: bgzip not installed (Debian package tabix)"; fi
if [ -r "$S/reads_1.fq.gz" ]; then
    gzip -dc "$S/reads_1.fq.gz" > reads_1.fq; gzip -dc "$S/nanopore.fq.gz" > nanopore.fq
    inputs="$inputs reads_1.fq nanopore.fq $S/reads_2.fq.gz"
    command -v bgzip > /dev/null && bgzip -c reads_1.fq > reads_1.bgzf.gz && inputs="$inputs reads_1.bgzf.gz"
else echo "SKIP shard-real: seqkit-examples not installed"; fi

# shards N FILE...: counts of N shards merged, against one run
shards() {
    local n=$1 i mode ok=1; shift
    rm -f shard*.json
    for ((i = 0; i < n; i++)); do
        "$B/fqstats" -Q --shard "$i/$n" --counts "shard$i.json" "$@" > /dev/null 2> err ||
            { bad "shard-n$n" "shard $i/$n: $(head -2 err)"; return; }
    done
    local args=(); for ((i = 0; i < n; i++)); do args+=("shard$i.json"); done
    for mode in "-a -T" "--per-position"; do
        "$B/fqstats" -Q $mode "$@" > single 2>&1; "$B/fqstats" -Q --merge $mode "${args[@]}" > merged 2>&1
        cmp -s single merged || { ok=0; bad "shard-n$n-$mode" "$(diff single merged | head -3)"; }
    done
    [ $ok = 1 ] && pass "shard-n$n: $(echo "$@" | wc -w) inputs, the merge equals one run"
}
# shellcheck disable=SC2086
ns="1 2 3 4 5 6 7"; [ -n "${FQP_TEST_QUICK:-}" ] && ns="1 2 3 7" # make sanitize: fewer
for n in $ns; do shards $n $inputs; done
# one shard's share of a plain file really is a part of it (not the whole)
"$B/fqstats" -Q -T --shard 1/3 var.fq > part 2>&1
got=$(awk -F'\t' 'NR == 2 { print $4 }' part)
if [ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -lt 3000 ]; then pass "shard-is-a-part ($got of 3000 reads)"
else bad shard-is-a-part "shard 1/3 has '$got' reads"; fi
# FastQC's modules from the merged shards
for ((i = 0; i < 4; i++)); do "$B/fqstats" -Q --shard $i/4 --counts q$i.json long.fq > /dev/null; done
"$B/fqstats" -Q --fastqc-data one.txt long.fq > /dev/null && "$B/fqstats" -Q --merge --fastqc-data four.txt q0.json q1.json q2.json q3.json > /dev/null
if cmp -s one.txt four.txt; then pass shard-fastqc-data; else bad shard-fastqc-data "$(diff one.txt four.txt | head -3)"; fi
# stdin cannot seek: it goes whole to shard 0 (its place among the FILEs is 0)
a=$("$B/fqstats" -Q -T --shard 0/2 - < <(cat var.fq) | awk -F'\t' 'NR == 2 { print $4 }')
b=$("$B/fqstats" -Q -T --shard 1/2 - < <(cat var.fq) | awk -F'\t' 'NR > 1' | wc -l)
if [ "$a" = 3000 ] && [ "$b" = 0 ]; then pass shard-stdin-whole; else bad shard-stdin-whole "shard 0 has '$a' reads, shard 1 $b rows"; fi
# wrapped FASTQ cannot be split by bytes: an error naming the shard, never a wrong split
"$B/fqgen" -n 400 -s 34 -l 200 -w 60 > wrapped.fq
bad_one=0
for ((i = 0; i < 3; i++)); do
    if "$B/fqstats" -Q --shard $i/3 wrapped.fq > out 2> err; then bad_one=1
    elif ! grep -q "wrapped.fq (shard $i/3).*wrapped FASTQ cannot be sharded by bytes" err; then bad_one=2; fi
done
if [ $bad_one = 0 ]; then pass shard-wrapped-refused; else bad shard-wrapped-refused "case $bad_one: $(head -1 err)"; fi
for arg in 3/3 -1/2 1/0 x/2 1 1/2/3 "0/4294967297"; do
    if "$B/fqstats" --shard "$arg" var.fq > out 2> err; then bad "shard-arg-$arg" "exit 0"
    elif [ $? = 2 ] && grep -q -- "--shard" err; then pass "shard-arg-$arg"
    else bad "shard-arg-$arg" "$(head -1 err)"; fi
done
exit $fail
